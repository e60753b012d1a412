/**
 * Redis bytes per session: one session driven by the real engine (instant model answering
 * ~300-character mixed Chinese/English speeches) to exactly 100 transcript entries, then
 * `MEMORY USAGE … SAMPLES 0` on each of its keys, against the raw UTF-8 bytes of the 100
 * entries' text. BullMQ's finished step jobs still kept (StepQueue removes them on completion) count too.
 */
import { stepJobOptions } from '../src/pipeline/step-queue.ts';
import type { RedisClient } from '../src/store/redis-connection.ts';
import { sessionKeyTypes } from '../src/store/keys.ts';
import { stepJobId } from '../src/pipeline/step-queue.ts';
import { round } from './bench-stats.ts';
import { deleteKeys, uniqueName } from './bench-redis.ts';
import { buildEngineRig } from './engine-rig.ts';
import { realisticText } from './realistic-text.ts';

const TARGET_ENTRIES = 100;

async function memoryUsage(redis: RedisClient, key: string): Promise<number> {
  const bytes = (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number | null;
  return bytes ?? 0;
}

export async function runSessionStorageBench(redisUrl: string): Promise<Record<string, unknown>> {
  const prefix = uniqueName('bench-storage-');
  const rig = await buildEngineRig({ redisUrl, prefix, queueName: uniqueName('storage'), env: { MAX_ROUNDS: 20 }, model: { answerChars: 300 } });
  try {
    rig.startWorker(8);
    const personas = rig.panel.personas.length;
    // opening + introductions + rounds × personas + pause, then person message + reply pairs up to 100.
    const rounds = Math.floor((TARGET_ENTRIES - 2 - personas) / personas);
    const sessionId = await rig.startSession(0, { rounds });
    await rig.drained(60_000);
    let messages = 0;
    while ((await rig.store.transcriptLength(sessionId)) + 2 <= TARGET_ENTRIES) {
      await rig.roundtable.submit(sessionId, { id: 'person-0', displayName: 'Person 0' }, { type: 'message', text: realisticText(messages + 3, 300), images: [] });
      messages += 1;
      await rig.drained(60_000);
    }
    const transcript = await rig.store.transcript(sessionId);
    const rawTextBytes = transcript.reduce((sum, entry) => sum + Buffer.byteLength(entry.text, 'utf8'), 0);
    const rawTextChars = transcript.reduce((sum, entry) => sum + [...entry.text].length, 0);

    const keys: Record<string, number> = {};
    for (const type of sessionKeyTypes) {
      const bytes = await memoryUsage(rig.redis, rig.keys.session(type, sessionId));
      if (bytes > 0) keys[type] = bytes;
    }
    const sessionBytes = Object.values(keys).reduce((sum, bytes) => sum + bytes, 0);
    const meta = await rig.store.load(sessionId);
    let jobBytes = 0;
    let jobs = 0;
    for (let seq = 0; seq < (meta?.seq ?? 0); seq += 1) {
      const bytes = await memoryUsage(rig.redis, `${rig.queue.prefix}:${rig.queue.name}:${stepJobId(sessionId, seq)}`);
      if (bytes > 0) jobs += 1;
      jobBytes += bytes;
    }
    return {
      description: 'one session run by the engine to 100 transcript entries (~300-char mixed CJK/Latin speeches); MEMORY USAGE SAMPLES 0 per key',
      transcriptEntries: transcript.length,
      personMessages: messages,
      rawTextBytes,
      rawTextChars,
      sessionKeyBytes: keys,
      sessionBytes,
      ratioToRawText: round(sessionBytes / rawTextBytes, 2),
      transcriptKeyRatioToRawText: round((keys.transcript ?? 0) / rawTextBytes, 2),
      finishedStepJobsKept: { jobs, bytes: jobBytes, note: `StepQueue's removeOnComplete: ${JSON.stringify(stepJobOptions(0).removeOnComplete)}; any finished step job still kept is counted` },
      ratioIncludingFinishedJobs: round((sessionBytes + jobBytes) / rawTextBytes, 2),
    };
  } finally {
    await rig.stop();
    await deleteKeys(redisUrl, prefix);
  }
}
