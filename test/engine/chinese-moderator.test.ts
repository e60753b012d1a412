/**
 * A Chinese session through the real pipeline (real Redis, BullMQ and openai SDK, the fake model):
 * every line the moderator says of its own — the vote's introduction and result, the notice for
 * a panelist without a usable ballot, a skipped step (the model's refusal, the step's name), a
 * person's ballot answer and the end of the session — is Chinese; what people and the model
 * wrote (names, keywords) is kept as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply, speakerOf } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const person = { id: 'u1', displayName: 'Ana' };
let sessionId: string;

const idle = (what: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), what, 60_000);
const moderatorPosts = () => adapter.postsOf(sessionId).filter((post) => post.speaker === 'moderator');
const command = async (name: string, options: Record<string, unknown> = {}) => {
  await app.roundtable.submit(sessionId, person, { type: 'command', name, options });
  await idle(`/${name}`);
};

beforeAll(async () => {
  fake = await startFakeOpenAI({
    chat: (request) => {
      const body = chatBody(request);
      const speaker = speakerOf(body);
      // Bayar never gives a usable ballot (nor after the corrective retry); Lin's round turn is refused by policy.
      if (body.response_format?.json_schema?.name === 'ballot' && speaker.startsWith('Bayar')) return { kind: 'json', value: { choices: [0, 14, 99] } };
      if (speaker.startsWith('Lin') && /It is round \d+ of the discussion/.test(messageText(body))) {
        return { kind: 'error', status: 400, code: 'content_policy_violation', message: 'Your request was rejected by the safety system.' };
      }
      return roundtableReply(request);
    },
  });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', MODEL_JSON_STRICT: 'true' } });
  ({ sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'chinese-moderator' }, person, topic: '蒙古族剪纸文创产品设计', rounds: 1 }));
  await idle('the opening, introductions, one round and the pause');
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a Chinese session', () => {
  it('skips a refused turn with a Chinese notice naming the reason and the step', async () => {
    const skipped = moderatorPosts().filter((post) => post.text.startsWith('⚠️'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.text).toMatch(/^⚠️ 对话模型（.+）依据其内容政策拒绝了这个请求。 已跳过：Lin the Designer 的发言。讨论继续——可以在讨论串里发言或使用命令。$/);
    expect((await app.store.load(sessionId))?.language).toBe('zh');
  });

  it('opens the vote, names the panelist without a usable ballot and closes it, all in Chinese', async () => {
    await command('vote', { action: 'open' });
    const poll = (await app.store.poll(sessionId))!;
    const intro = moderatorPosts().find((post) => post.text.startsWith('**关键词投票**'));
    expect(intro?.text).toMatch(/^\*\*关键词投票\*\* —— 最多选 \d+ 个。得票达到投票人数的 \d+% 的关键词即通过。嘉宾们也会投票。$/);
    expect(moderatorPosts().filter((post) => post.text.includes('未计入')).map((post) => post.text)).toEqual(['⚠️ 未计入：Bayar the Maker 没有投出有效的选票。']);

    const answer = await app.roundtable.submit(sessionId, person, { type: 'ballot', choices: [0, 1], pollId: poll.pollId });
    expect(answer.notice).toBe(`你的选票：${poll.candidates[0]}、${poll.candidates[1]}。`);

    await command('vote', { action: 'close' });
    const result = moderatorPosts().find((post) => post.text.startsWith('**投票结束。**'));
    expect(result?.text).toMatch(/^\*\*投票结束。\*\* 共 2 人投票；关键词需要 \d+ 票才能通过。选出：\*\*.+\*\*。\n/);
    // Lin chose 1, 2 and 4 (roundtableReply), Ana 1 and 2.
    expect(result?.text).toContain(`${poll.candidates[0]}：2 票（嘉宾 1，参与者 1）；${poll.candidates[1]}：2 票（嘉宾 1，参与者 1）；`);
    expect(result?.files).toHaveLength(1);
    expect(moderatorPosts().map((post) => post.text).join('\n')).not.toMatch(/Vote closed|Not counted|Skipped|vote\(s\)/);
  });

  it('ends with the Chinese end-of-session line and the transcript attached', async () => {
    await command('end');
    const last = moderatorPosts().at(-1)!;
    expect(last.text).toBe('圆桌已由 Ana 结束。完整记录见附件。在频道里提到我，即可开始新的圆桌。');
    expect(last.files[0]?.contentType).toBe('text/markdown');
    const transcript = last.files[0]!.bytes.toString('utf8');
    expect(transcript).toContain('**投票结束。**');
    expect((await app.store.load(sessionId))?.status).toBe('ended');
  });
});
