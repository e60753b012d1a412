/**
 * Prompt tokens per persona turn at transcript length 20 against 1,000. Each prompt is the one a
 * real discussion turn sends: a session is put in that state in Redis (transcript entries,
 * rolling summary, `summarisedThrough`, a `turn` step on the agenda) and StepMachine.process
 * runs the step, so buildContext and prompt-builder do exactly what they do in production; the
 * instant model keeps the messages. Tokens are estimated (no tokenizer installed): one per CJK
 * character, one per four other characters.
 */
import type { Step, TranscriptEntry } from '../src/session/session-types.ts';
import { round } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig, type EngineRig } from './engine-rig.ts';
import { contentText } from './instant-model.ts';
import { estimateTokens, realisticText } from './realistic-text.ts';
import { lengthTargets, softOvershoot } from '../src/prompts/answer-length.ts';
import { encodeEntry } from '../src/store/transcript-codec.ts';
import { percentile } from './bench-stats.ts';

/**
 * What a provider's prompt cache can reuse: a real session of several rounds, and for each persona
 * call the bytes of its request's messages (as JSON, the order they are sent in) that the previous
 * persona call of the session began with, as a share of its own. Calls with a fold (a summary
 * call) between them are counted apart: a fold rewrites the summary, and the cache starts again.
 */
async function prefixSharing(rig: EngineRig, index: number, rounds: number): Promise<Record<string, unknown>> {
  rig.startWorker(8);
  const sessionId = await rig.startSession(index, { rounds });
  await rig.drained(120_000);
  const calls = rig.model.recorded.filter((call) => call.sessionId === sessionId);
  const shares: number[] = [];
  const acrossFolds: number[] = [];
  let previous: string | undefined;
  let foldSincePrevious = false;
  for (const call of calls) {
    if (call.role === 'summary') {
      foldSincePrevious = true;
      continue;
    }
    const body = JSON.stringify(call.messages);
    if (previous !== undefined) (foldSincePrevious ? acrossFolds : shares).push(Buffer.byteLength(body.slice(0, commonPrefixLength(previous, body))) / Buffer.byteLength(body));
    previous = body;
    foldSincePrevious = false;
  }
  const percent = (values: number[]) => ({
    calls: values.length,
    minPercent: round(Math.min(...values) * 100, 1),
    p50Percent: round(percentile(values, 0.5) * 100, 1),
    meanPercent: round((values.reduce((sum, value) => sum + value, 0) / values.length) * 100, 1),
  });
  return {
    description: `one session of ${rounds} rounds run by the engine; each persona call's messages (JSON) against the previous persona call's: the share of its bytes that is a common prefix`,
    personaCalls: calls.filter((call) => call.role !== 'summary').length,
    folds: calls.filter((call) => call.role === 'summary').length,
    betweenFolds: shares.length ? percent(shares) : undefined,
    acrossAFold: acrossFolds.length ? percent(acrossFolds) : undefined,
  };
}

interface PromptState {
  label: string;
  entries: number;
  summaryChars: number;
  /** Entries already folded into the summary; undefined = as the engine leaves it (0). */
  summarisedThrough?: number;
}

interface PromptMeasure {
  label: string;
  transcriptEntries: number;
  summarisedThrough: number;
  summaryChars: number;
  promptChars: number;
  estimatedPromptTokens: number;
  systemMessage: string;
  wholePrompt: string;
  summaryCallsDuringTurn: number;
}

async function promptAt(rig: EngineRig, index: number, state: PromptState): Promise<PromptMeasure> {
  const sessionId = await rig.startSession(index, { rounds: 0 });
  const personas = rig.panel.personas;
  const speaker = personas[0];
  if (!speaker) throw new Error('panel without personas');
  const entries: string[] = [];
  for (let entry = 0; entry < state.entries; entry += 1) {
    const persona = personas[entry % personas.length] ?? speaker;
    const record: TranscriptEntry = { kind: 'persona', speakerId: persona.id, speakerName: persona.displayName, text: realisticText(entry, 300), at: Date.now(), stage: 'discussion', round: 1 + Math.floor(entry / personas.length) };
    entries.push(encodeEntry(record));
  }
  for (let start = 0; start < entries.length; start += 500) await rig.redis.rpush(rig.keys.session('transcript', sessionId), ...entries.slice(start, start + 500));
  const step: Step = { kind: 'turn', personaId: speaker.id, round: 3, reason: 'round' };
  const summarisedThrough = state.summarisedThrough ?? 0;
  await rig.redis.hset(rig.keys.session('meta', sessionId), {
    agenda: JSON.stringify([step]),
    stage: 'discussion',
    round: '3',
    summarisedThrough: String(summarisedThrough),
    rollingSummary: state.summaryChars ? realisticText(7, state.summaryChars) : '',
  });
  const summaryCallsBefore = rig.model.callsByRole.summary ?? 0;
  const recordedBefore = rig.model.recorded.length;
  const result = await rig.machine.process({ sessionId, seq: 0, epoch: 0, skip: false }, { final: false });
  if (result !== 'ran') throw new Error(`turn step did not run: ${result}`);
  const call = rig.model.recorded.slice(recordedBefore).find((recorded) => recorded.role === 'chat');
  if (!call) throw new Error('no persona call recorded');
  const texts = call.messages.map(contentText);
  const wholePrompt = texts.join('\n');
  return {
    label: state.label,
    transcriptEntries: state.entries,
    summarisedThrough,
    summaryChars: state.summaryChars,
    promptChars: wholePrompt.length,
    estimatedPromptTokens: call.messages.reduce((sum, message) => sum + estimateTokens(contentText(message)), 0),
    systemMessage: call.messages[0]?.role === 'system' ? (texts[0] ?? '') : '',
    wholePrompt,
    summaryCallsDuringTurn: (rig.model.callsByRole.summary ?? 0) - summaryCallsBefore,
  };
}

function commonPrefixLength(left: string, right: string): number {
  let index = 0;
  while (index < left.length && index < right.length && left[index] === right[index]) index += 1;
  return index;
}

function publicMeasure(measure: PromptMeasure): Record<string, unknown> {
  const { systemMessage: _system, wholePrompt: _prompt, ...rest } = measure;
  return rest;
}

export async function runPromptSizeBench(redisUrl: string): Promise<Record<string, unknown>> {
  const prefix = uniqueName('bench-prompt-');
  const rig = await buildEngineRig({ redisUrl, prefix, queueName: uniqueName('prompt'), model: { keepMessages: true }, env: { MAX_ROUNDS: 20 } });
  const recentTurns = rig.config.CONTEXT_RECENT_TURNS;
  try {
    const short = await promptAt(rig, 1, { label: 'length 20', entries: 20, summaryChars: 0 });
    const longAsIs = await promptAt(rig, 2, { label: 'length 1,000 with nothing folded yet (the turn folds first)', entries: 1_000, summaryChars: 0 });
    const longFolded = await promptAt(rig, 3, { label: 'length 1,000 after folds: 1,500-char rolling summary (the fold template asks ≤ 1,500)', entries: 1_000, summaryChars: 1_500, summarisedThrough: 1_000 - recentTurns });
    // The fold's answer is cut at softOvershoot × its target (src/prompts/sentence-cut.ts): the longest summary a prompt can carry.
    const summaryCap = Math.round(lengthTargets.rollingSummary * softOvershoot);
    const longWorst = await promptAt(rig, 4, { label: `length 1,000, summary at its ${summaryCap.toLocaleString('en')}-char cap`, entries: 1_000, summaryChars: summaryCap, summarisedThrough: 1_000 - recentTurns });
    const measures = [short, longAsIs, longFolded, longWorst];
    const sharing = await prefixSharing(rig, 5, 8);
    const systemIdentical = measures.every((measure) => measure.systemMessage === short.systemMessage && Buffer.from(measure.systemMessage).equals(Buffer.from(short.systemMessage)));
    return {
      description: 'prompt of a persona discussion turn built by the real StepMachine.buildContext + prompt-builder; tokens estimated (CJK 1/char, other 1/4 chars)',
      contextRecentTurns: recentTurns,
      prompts: measures.map(publicMeasure),
      ratio1000To20: round(longFolded.estimatedPromptTokens / short.estimatedPromptTokens, 2),
      ratio1000To20AsEngineLeavesIt: round(longAsIs.estimatedPromptTokens / short.estimatedPromptTokens, 2),
      ratio1000To20WorstCaseSummary: round(longWorst.estimatedPromptTokens / short.estimatedPromptTokens, 2),
      staticPrefix: {
        systemMessageChars: short.systemMessage.length,
        systemMessageBytes: Buffer.byteLength(short.systemMessage),
        estimatedTokens: estimateTokens(short.systemMessage),
        byteIdenticalAcrossAllFourPrompts: systemIdentical,
        commonPrefixCharsLength20VsLength1000: commonPrefixLength(short.wholePrompt, longFolded.wholePrompt),
        note: 'the system message (the roundtable rules) is identical for every call of every session; within a session the session context (topic, roster, summary, discussion window) follows and is append-only between folds, so consecutive turns of any personas share it (test/engine/rolling-summary.test.ts checks this)',
      },
      prefixSharing: sharing,
      foldCheck: {
        summaryCallsDuringTheLength1000Turn: longAsIs.summaryCallsDuringTurn,
        note: 'a turn whose unsummarised transcript reaches CONTEXT_RECENT_TURNS + 8 entries first folds the older ones into the rolling summary (one summary-model call)',
      },
    };
  } finally {
    await rig.stop();
    await deleteKeys(redisUrl, prefix);
  }
}
