import { afterAll, describe, expect, it } from 'vitest';
import { StepQueue, stepJobId } from './step-queue.ts';
import { createLogger } from '../logging/logger.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';

const redis = testRedis();
const prefix = uniqueName('sq');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('StepQueue (real BullMQ)', () => {
  it('collapses duplicate enqueues of one step and reports queue positions in order', async () => {
    const queue = new StepQueue(redis, uniqueName('q'), prefix, createLogger('silent'));
    await queue.enqueue('terminal:c:a', 0);
    await queue.enqueue('terminal:c:b', 4);
    await queue.enqueue('terminal:c:a', 0);
    await queue.enqueue('terminal:c:c', 1);
    expect(await queue.queue.getWaitingCount()).toBe(3);
    expect(await queue.positionOf('terminal:c:a', 0)).toBe(0);
    expect(await queue.positionOf('terminal:c:b', 4)).toBe(1);
    expect(await queue.positionOf('terminal:c:c', 1)).toBe(2);
    expect(await queue.positionOf('terminal:c:c', 2)).toBeUndefined();
    expect(stepJobId('terminal:c:a', 0)).not.toContain(':');
    await queue.close(0);
  });
});
