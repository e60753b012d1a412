/**
 * Asking one persona on Slack, through real Bolt, the Web API client, the real app and the
 * emulator: the "Ask ⟨name⟩" button on a persona's post → views.open (within the trigger's 3 s) →
 * view_submission → the question, submitted `addressedTo` that persona (the adapter's part, seen on
 * `roundtable.submit`), shown in the thread by the bot with nothing that can ping, and answered by
 * that persona alone (the engine's part: the duo panel's rotation would pick Bayar, so an answer by
 * Lin shows the address was followed). An empty question is refused inside the modal; a click for
 * a persona no longer on the panel, or in a thread that is not a roundtable, gets an ephemeral answer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Person, SessionAction } from '../../src/adapter/inbound-event.ts';
import type { RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { askActionId, askCallbackId } from '../../adapters/slack/ask-blocks.ts';
import { startE2E, until, type E2EHarness } from './slack-e2e-harness.ts';

let harness: E2EHarness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.stop();
  harness = undefined;
});

/** A persona answering a person quotes the person's latest line, so an answer shows what it answers. */
function speech(request: RecordedRequest): string {
  const body = request.body as { messages?: { content?: unknown }[] } | undefined;
  const prompt = (body?.messages ?? []).map((message) => (typeof message.content === 'string' ? message.content : '')).join('\n');
  const asked = [...prompt.matchAll(/^\[[^\]]*\(a person in the thread\)\] (.+)$/gm)].at(-1)?.[1];
  return asked ? `About “${asked.slice(0, 200)}”: here is my view.` : 'A warm, quiet kettle with a soft handle.';
}

interface AskButton {
  action_id: string;
  value: string;
  text: { text: string };
}

function askButtonOf(blocks: unknown[] | undefined): AskButton | undefined {
  for (const block of (blocks ?? []) as { type?: string; elements?: AskButton[] }[]) {
    const button = block.type === 'actions' ? block.elements?.find((element) => element.action_id === askActionId) : undefined;
    if (button) return button;
  }
  return undefined;
}

describe('Slack end to end: asking one persona', () => {
  it('Ask button → modal → question shown without pings → answered by that persona alone', async () => {
    harness = await startE2E({ speech });
    const { emulator, app, settled } = harness;
    const submits: { action: SessionAction; person: Person }[] = [];
    const submit = app.roundtable.submit.bind(app.roundtable);
    vi.spyOn(app.roundtable, 'submit').mockImplementation(async (id, person, action, eventId) => {
      submits.push({ action, person });
      return submit(id, person, action, eventId);
    });
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const mention = await emulator.userMentions(ada, channel.id, 'How should a kettle for the elderly feel?');
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await until(() => app.roundtable.status(sessionId), 'the session');
    await settled(sessionId);
    const thread = () => emulator.thread(channel.id, mention.ts);
    const personaPosts = () => thread().filter((message) => message.username);

    // Every persona post carries its Ask button; its text is in section blocks (a post with blocks shows the blocks).
    expect(personaPosts().length).toBeGreaterThanOrEqual(2);
    for (const post of personaPosts()) {
      expect(askButtonOf(post.blocks)).toBeDefined();
      expect(JSON.stringify(post.blocks)).toContain('"type":"section"');
    }
    const linPost = personaPosts().find((message) => message.username === 'Lin the Designer');
    if (!linPost) throw new Error('no post by Lin');
    const button = askButtonOf(linPost.blocks);
    expect(button?.text.text).toBe('❓ Ask Lin the Designer');
    expect(JSON.parse(button?.value ?? '{}')).toMatchObject({ sessionId, personaId: 'designer' });

    // The click opens the modal.
    const click = await emulator.userClicks(ada, channel.id, linPost.ts, askActionId);
    expect(click.status).toBe(200);
    expect(click.elapsedMs).toBeLessThan(3_000);
    const opened = await emulator.waitFor(() => emulator.openViews(ada.id)[0], { timeoutMs: 5_000, message: 'the modal' });
    expect(opened.view).toMatchObject({ type: 'modal', callback_id: askCallbackId, title: { type: 'plain_text', text: 'Ask Lin the Designer' }, submit: { text: 'Ask' } });
    expect(opened.view.blocks).toMatchObject([{ type: 'input', block_id: 'question', label: { text: 'Your question for Lin the Designer' }, element: { type: 'plain_text_input', action_id: 'question', multiline: true } }]);

    // A blank question is refused inside the modal, which stays open.
    const blank = await emulator.userSubmitsView(ada, opened.view.id as string, { question: { question: '   ' } });
    expect(blank.errors).toEqual({ question: 'Write your question first.' });
    expect(opened.closed).toBe(false);

    const question = 'Which colour <!here> would <@U0123ABCD> like, @channel?';
    const submitted = await emulator.userSubmitsView(ada, opened.view.id as string, { question: { question } });
    expect(submitted.errors).toBeUndefined();
    expect(submitted.delivery.elapsedMs).toBeLessThan(3_000);
    expect(opened.closed).toBe(true);

    const shown = await emulator.waitFor(() => thread().find((message) => !message.username && message.text.startsWith('❓')), { timeoutMs: 10_000, message: 'the question in the thread' });
    expect(shown.text).toBe('❓ *ada* asks *Lin the Designer*: Which colour &lt;!here&gt; would &lt;@U0123ABCD&gt; like, @\u2060channel?');
    expect(shown.text).not.toMatch(/<[!@#]/);
    expect(submits.at(-1)).toMatchObject({ action: { type: 'message', text: question, images: [], addressedTo: 'designer' }, person: { id: ada.id } });

    await emulator.waitFor(() => personaPosts().some((message) => Number(message.ts) > Number(shown.ts)), { timeoutMs: 20_000, message: 'the answer' });
    await settled(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answers = personaPosts().filter((message) => Number(message.ts) > Number(shown.ts));
    expect(answers.map((message) => message.username)).toEqual(['Lin the Designer']);
    expect(answers[0]?.text).toContain('Which colour');
    expect(emulator.rateLimitHits).toEqual([]);
    expect(emulator.calls().filter((call) => !call.ok)).toEqual([]);
  });

  it('answers a click for a persona no longer on the panel, or outside a roundtable, ephemerally', async () => {
    harness = await startE2E();
    const { emulator, app, settled } = harness;
    const channel = emulator.addChannel('design');
    const ada = emulator.addUser('ada');
    const bob = emulator.addUser('bob');
    const mention = await emulator.userMentions(ada, channel.id, 'A kettle');
    const sessionId = harness.sessionIdFor(channel.id, mention.ts);
    await until(() => app.roundtable.status(sessionId), 'the session');
    await settled(sessionId);
    const submit = vi.spyOn(app.roundtable, 'submit');

    /** chat.postMessage as the app (waiting out the emulator's per-channel rate, as a client would). */
    const postAsApp = async (args: Record<string, unknown>): Promise<string> => {
      for (;;) {
        const response = await fetch(`${emulator.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${emulator.botToken}` },
          body: JSON.stringify(args),
        });
        if (response.status !== 429) return ((await response.json()) as { ts: string }).ts;
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1_000));
      }
    };
    /** A message posted as the app with one Ask button (as a persona post carries it). */
    const postWithButton = (threadTs: string, value: Record<string, string>): Promise<string> =>
      postAsApp({ channel: channel.id, thread_ts: threadTs, text: 'an earlier post', username: value.name, blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: askActionId, text: { type: 'plain_text', text: 'Ask' }, value: JSON.stringify(value) }] }] });

    const gone = await postWithButton(mention.ts, { sessionId, personaId: 'quinn', name: 'Quinn' });
    await emulator.userClicks(bob, channel.id, gone, askActionId);
    await emulator.waitFor(() => emulator.ephemeralsFor(bob.id).find((ephemeral) => ephemeral.text === 'Quinn is no longer on this panel.'), { timeoutMs: 5_000, message: 'the refusal' });

    const otherTs = await postAsApp({ channel: channel.id, text: 'just chatting' });
    const stray = await postWithButton(otherTs, { sessionId: harness.sessionIdFor(channel.id, otherTs), personaId: 'designer', name: 'Lin the Designer' });
    await emulator.userClicks(bob, channel.id, stray, askActionId);
    await emulator.waitFor(() => emulator.ephemeralsFor(bob.id).find((ephemeral) => ephemeral.text === 'This button only works in a roundtable thread, and there is no roundtable here.'), { timeoutMs: 5_000, message: 'the refusal outside a roundtable' });

    expect(emulator.openViews()).toEqual([]);
    expect(emulator.calls('views.open')).toEqual([]);
    expect(submit).not.toHaveBeenCalled();
  });
});
