/**
 * `npm run check:model` — one short scripted roundtable against a model endpoint, reported stage
 * by stage: what worked, how long it took, the posts' lengths against their targets, the prompt
 * against the model's window, and how each structured answer landed (accepted / repaired /
 * retried / skipped). The command a person runs before pointing the bot at a new provider.
 *
 * It runs the real engine (Redis, BullMQ, the step pipeline) with the terminal adapter printing
 * into a buffer, so what it reports is what a thread would have shown. Stages run in order; a
 * stage that times out or has a step skipped is marked failed and the next still runs (the
 * session stays usable, as in a thread). A model that does not answer at all stops the check
 * after its first stage.
 *
 * Contract: `runModelCheck` never throws for a model failure — every failure is a line of the
 * report; it returns `ok: false` when any stage failed.
 */
import { z } from 'zod';
import type { RunningApp } from '../../src/app/start-app.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import { asTableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { speechLengths } from '../../src/engine/prompt-builder.ts';
import { structuredOutcomeCounts, type StructuredOutcome } from '../../src/engine/structured-outcome.ts';
import type { TranscriptEntry } from '../../src/session/session-types.ts';

export interface ModelCheckOptions {
  topic: string;
  /** A message a person writes after the discussion (it must be answered). */
  personMessage: string;
  /** Longest wait for one stage. */
  stageTimeoutMs: number;
  /** Where the report goes, a line at a time. */
  write(line: string): void;
  /** Everything the terminal adapter printed so far (the "thread"). */
  printed(): string;
}

export interface StageReport {
  name: string;
  ok: boolean;
  seconds: number;
  details: string[];
}

const person: Person = { id: 'model-check', displayName: 'checker', isManager: true };
const pollMs = 100;

/** Longest target of any speaking kind: a post past 1.5× its kind's target is reported. */
const longestTarget = Math.max(...Object.values(speechLengths).map(([, max]) => max));

export async function runModelCheck(app: RunningApp, options: ModelCheckOptions): Promise<{ ok: boolean; stages: StageReport[] }> {
  const stages: StageReport[] = [];
  const report = (stage: StageReport) => {
    stages.push(stage);
    options.write(`${stage.ok ? '✓' : '✗'} ${stage.name.padEnd(20)} ${stage.seconds.toFixed(1).padStart(6)} s  ${stage.details.join(' · ')}`);
  };
  const endpoint = app.models.endpoint('chat');
  options.write(`Checking ${endpoint.model} at ${endpoint.baseURL ?? 'https://api.openai.com/v1'}`);

  report(await timed('model answers', async () => {
    const result = await app.models.chat({ messages: [{ role: 'user', content: 'Reply with the single word: ready' }], maxTokens: 256 });
    return { ok: result.text.length > 0 && result.finishReason !== 'length', details: [`"${result.text.slice(0, 40)}"`, `finish: ${result.finishReason}`, `prompt ${result.usage.promptTokens} / completion ${result.usage.completionTokens} tokens`] };
  }));

  if (!stages[0]!.ok) {
    options.write('The model did not answer: the session stages were not tried.');
    return { ok: false, stages };
  }

  report(await timed('structured answer', async () => {
    const schema = z.object({ colour: z.enum(['red', 'green', 'blue']), reason: z.string() });
    const result = await app.models.json(schema, 'check', { messages: [{ role: 'user', content: 'Pick one colour for a reading lamp: red, green or blue, and say why in one short sentence.' }], maxTokens: 300 });
    return { ok: true, details: [`${result.outcome}`, `colour: ${result.value.colour}`, `mode: ${app.config.MODEL_JSON_MODE}`] };
  }));

  let sessionId: string | undefined;
  const address = { platform: 'terminal' as const, channel: 'console', thread: `model-check-${Date.now().toString(36)}` };
  report(await sessionStage(app, options, 'opening + discussion', () => sessionId, async () => {
    ({ sessionId } = await app.roundtable.start({ address, person, topic: options.topic, images: [] }));
  }));
  if (!sessionId) return { ok: false, stages };
  const id = sessionId;
  report(await sessionStage(app, options, 'reply to a person', () => id, async () => {
    await app.roundtable.submit(id, person, { type: 'message', text: options.personMessage, images: [] });
  }));
  report(await sessionStage(app, options, 'keywords + ballots', () => id, () => app.runCommand({ name: 'vote', options: {}, person, address, sessionId: id }), ['keywords', 'ballot']));
  report(await sessionStage(app, options, 'vote result', () => id, () => app.runCommand({ name: 'vote', options: { action: 'close' }, person, address, sessionId: id })));
  report(await sessionStage(app, options, 'closing summary', () => id, () => app.runCommand({ name: 'end', options: {}, person, address, sessionId: id }), ['closing_summary']));

  const failed = stages.filter((stage) => !stage.ok).length;
  options.write(failed === 0 ? `All ${stages.length} stages worked.` : `${failed} of ${stages.length} stages failed.`);
  return { ok: failed === 0, stages };
}

async function timed(name: string, run: () => Promise<{ ok: boolean; details: string[] }>): Promise<StageReport> {
  const started = performance.now();
  try {
    const { ok, details } = await run();
    return { name, ok, seconds: (performance.now() - started) / 1000, details };
  } catch (error) {
    return { name, ok: false, seconds: (performance.now() - started) / 1000, details: [describeForPerson(asTableRoundError(error))] };
  }
}

/**
 * One stage of the session: `act`, then wait until the session is idle, and report what the
 * stage added — posts and their lengths, skipped steps (their notices), the prompt against the
 * window, and the structured outcomes of `structured` names.
 */
async function sessionStage(app: RunningApp, options: ModelCheckOptions, name: string, session: () => string | undefined, act: () => Promise<unknown>, structured: string[] = []): Promise<StageReport> {
  const sessionIdBefore = session();
  const transcriptBefore = sessionIdBefore ? await app.store.transcriptLength(sessionIdBefore) : 0;
  const notesBefore = sessionIdBefore ? structuredOutcomeCounts(await app.store.notes(sessionIdBefore)) : {};
  const printedBefore = options.printed().length;
  return timed(name, async () => {
    await act();
    const sessionId = session();
    if (!sessionId) return { ok: false, details: ['no session was started'] };
    const deadline = Date.now() + options.stageTimeoutMs;
    while (await app.roundtable.isBusy(sessionId)) {
      if (Date.now() > deadline) return { ok: false, details: [`still busy after ${Math.round(options.stageTimeoutMs / 1000)} s`] };
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const added = (await app.store.transcript(sessionId)).slice(transcriptBefore);
    const notices = options
      .printed()
      .slice(printedBefore)
      .split('\n')
      .filter((line) => line.includes('⚠️'))
      .map((line) => line.replace(/^\[[^\]]*\]\s*/, '').slice(0, 160));
    const details = [...describePosts(added), ...describeStructured(notesBefore, structuredOutcomeCounts(await app.store.notes(sessionId)), structured)];
    const meta = await app.store.load(sessionId);
    if (meta?.promptStats && added.some((item) => item.kind === 'persona')) details.push(`prompt ~${meta.promptStats.promptTokens} of ${meta.promptStats.windowTokens} tokens (${meta.promptStats.reserveTokens} reserved for the answer)`);
    const skipped = notices.filter((line) => /Skipped/.test(line));
    details.push(...notices);
    const tooLong = added.filter((item) => item.kind === 'persona' && item.text.length > longestTarget * 1.5);
    return { ok: skipped.length === 0 && tooLong.length === 0, details };
  });
}

function describePosts(added: TranscriptEntry[]): string[] {
  const persona = added.filter((item) => item.kind === 'persona' && !item.text.startsWith('(vote)'));
  if (persona.length === 0) return [];
  const lengths = persona.map((item) => item.text.length);
  return [`${persona.length} persona post(s), ${Math.min(...lengths)}–${Math.max(...lengths)} characters (targets ≤ ${longestTarget})`];
}

function describeStructured(before: Record<string, Record<StructuredOutcome, number>>, after: Record<string, Record<StructuredOutcome, number>>, names: string[]): string[] {
  return names.map((name) => {
    const counts = after[name];
    const outcomes = (['accepted', 'repaired', 'retried', 'skipped'] as const).map((outcome) => `${(counts?.[outcome] ?? 0) - (before[name]?.[outcome] ?? 0)} ${outcome}`);
    return `${name}: ${outcomes.join(', ')}`;
  });
}
