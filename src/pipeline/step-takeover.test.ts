/**
 * Two runners of one step on real Redis — the older one lost its job lock (its event loop starved
 * past the lock time) and kept running while a successor took the step over:
 * - the successor's claim sees what the older runner recorded up to that instant;
 * - from the claim on, the older runner's fenced writes are refused and its stream writes nothing
 *   more to the message the successor continues — no edit, no "(interrupted)" mark;
 * - a runner whose step was committed elsewhere cannot claim it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testRedis, uniqueName } from '../../test/harness/redis.ts';
import { testOutbox } from '../../test/harness/test-outbox.ts';
import { RecordingAdapter } from '../../test/harness/recording-adapter.ts';
import type { EditRequest, Speaker } from '../adapter/chat-adapter.ts';
import { createLogger } from '../logging/logger.ts';
import { OutboxStream } from '../outbound/outbox-stream.ts';
import { StepSupersededError } from './step-outbox.ts';

const redis = testRedis();
afterAll(() => redis.disconnect());

const logger = createLogger('silent');
const speaker: Speaker = { kind: 'persona', persona: { id: 'lin', displayName: 'Lin the Designer' } };

/** Streams by edits (no delays) and keeps every edit it was asked for. */
class EditingAdapter extends RecordingAdapter {
  readonly streaming = { editIntervalMs: 0, firstPostDelayMs: 0 };
  readonly edits: EditRequest[] = [];

  async edit(request: EditRequest): Promise<boolean> {
    this.edits.push(request);
    return true;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('a step taken over by a newer runner', () => {
  it('stops the older runner: its claim-time records are seen, its writes refused, its stream silent', async () => {
    const sessionId = `terminal:c:${uniqueName('takeover')}`;
    const { outbox: older, reload } = await testOutbox(redis, uniqueName('takeover'), sessionId, 3);
    expect(await older.claim()).toBe(true);
    const adapter = new EditingAdapter();
    const stream = new OutboxStream({ outbox: older, adapter, sessionId, speaker, key: 'turn', logger });
    await stream.open();
    stream.update('Felt keeps the warmth');
    await settle();
    expect(adapter.posts).toHaveLength(1);

    // The successor claims the step: it sees the message the older runner posted and recorded.
    const successor = await reload();
    expect(await successor.claim()).toBe(true);
    expect(successor.part('turn', 0)?.ref).toBe('m1');
    expect(await older.owns()).toBe(false);
    expect(await successor.owns()).toBe(true);

    // The older runner goes on streaming: nothing more reaches the platform from it.
    stream.update('Felt keeps the warmth of home, and');
    await settle();
    stream.update('Felt keeps the warmth of home, and the red wool');
    await settle();
    expect(adapter.edits).toEqual([]);
    await expect(older.savePayload('turn', 'Felt keeps the warmth of home.')).rejects.toBeInstanceOf(StepSupersededError);
    expect(await stream.abort()).toBe('');
    expect(adapter.edits).toEqual([]);
    expect(adapter.posts).toHaveLength(1);
  });

  it('without the successor the same stream does edit (the check is what stops it)', async () => {
    const sessionId = `terminal:c:${uniqueName('takeover')}`;
    const { outbox } = await testOutbox(redis, uniqueName('takeover'), sessionId, 3);
    expect(await outbox.claim()).toBe(true);
    const adapter = new EditingAdapter();
    const stream = new OutboxStream({ outbox, adapter, sessionId, speaker, key: 'turn', logger });
    stream.update('Felt keeps the warmth');
    await settle();
    stream.update('Felt keeps the warmth of home, and');
    await settle();
    expect(adapter.edits.map((edit) => edit.text)).toEqual(['Felt keeps the warmth of home, and']);
  });

  it('cannot be claimed once the step was committed (seq moved on)', async () => {
    const prefix = uniqueName('takeover');
    const sessionId = `terminal:c:${uniqueName('takeover')}`;
    const { outbox } = await testOutbox(redis, prefix, sessionId, 3);
    await testOutbox(redis, prefix, sessionId, 4);
    expect(await outbox.claim()).toBe(false);
    expect(await outbox.owns()).toBe(false);
  });
});
