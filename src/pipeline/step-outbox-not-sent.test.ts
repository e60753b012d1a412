/**
 * An interrupted post whose adapter said it failed before its platform call is sent again in a
 * re-run without a look-up (Slack's look-up is a rate-limited call); any other failure keeps the
 * intent, and the re-run asks the platform first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sendOnce } from './send-once.ts';
import { StepOutbox, StepSupersededError } from './step-outbox.ts';
import { beforeSending } from '../adapter/not-sent.ts';
import { RecordingAdapter } from '../../test/harness/recording-adapter.ts';
import { testOutbox } from '../../test/harness/test-outbox.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import type { PostLookup } from '../adapter/chat-adapter.ts';
import { RedisKeys } from '../store/keys.ts';

const redis = testRedis();
const prefix = uniqueName('notsent');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

class CountingAdapter extends RecordingAdapter {
  lookups = 0;
  async findPost(_sessionId: string, _lookup: PostLookup): Promise<string | undefined> {
    this.lookups += 1;
    return undefined;
  }
}

const message = (sessionId: string) => ({ sessionId, speaker: { kind: 'moderator' as const }, text: 'The panel opens.' });

describe('an interrupted post, in a re-run', () => {
  it('failed before its platform call (pacing refused): sent again without a look-up', async () => {
    const sessionId = 'terminal:c:not-sent';
    const { outbox, reload } = await testOutbox(redis, prefix, sessionId);
    const adapter = new CountingAdapter();
    const pacingFailed = () => beforeSending(Promise.reject(new Error('Connection is closed.')));
    await expect(sendOnce(outbox, adapter, 'open', 0, message(sessionId), async () => (await pacingFailed()) as string)).rejects.toThrow();
    const rerun = await reload();
    expect(rerun.part('open', 0)?.pendingSince).toBeUndefined();
    const { ref } = await sendOnce(rerun, adapter, 'open', 0, message(sessionId), async () => 'm-1');
    expect(ref).toBe('m-1');
    expect(adapter.lookups).toBe(0);
  });

  it('failed with its outcome unknown (the platform call itself failed): the re-run looks it up first', async () => {
    const sessionId = 'terminal:c:unknown';
    const { outbox, reload } = await testOutbox(redis, prefix, sessionId);
    const adapter = new CountingAdapter();
    await expect(sendOnce(outbox, adapter, 'open', 0, message(sessionId), async () => Promise.reject(new Error('socket hang up')))).rejects.toThrow();
    const rerun = await reload();
    expect(rerun.part('open', 0)?.pendingSince).toBeTypeOf('number');
    await sendOnce(rerun, adapter, 'open', 0, message(sessionId), async () => 'm-2');
    expect(adapter.lookups).toBe(1);
  });

  it('a runner that no longer owns its step sends nothing more, and writes no intent', async () => {
    const sessionId = 'terminal:c:superseded';
    const { reload } = await testOutbox(redis, prefix, sessionId);
    const cut = new AbortController();
    cut.abort(new StepSupersededError('its job was cancelled'));
    const keys = new RedisKeys(prefix);
    const outbox = new StepOutbox({ redis, outboxKey: keys.session('outbox', sessionId), metaKey: keys.session('meta', sessionId), notesKey: keys.session('notes', sessionId), ttlMs: 600_000 }, 0, {}, cut.signal);
    let sent = 0;
    await expect(sendOnce(outbox, new CountingAdapter(), 'open', 0, message(sessionId), async () => `m-${++sent}`)).rejects.toBeInstanceOf(StepSupersededError);
    expect(sent).toBe(0);
    expect((await reload()).part('open', 0)).toBeUndefined();
  });
});
