/**
 * The bench's floor counts Redis round trips as the client pays for them: a pipeline, a MULTI
 * block or a Promise.all batch is one round trip; commands that waited for a reply are more.
 * Recorded on a real connection to the test Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';
import { describeTrips, replayTrips, roundTrips, RoundTripRecorder } from '../../bench/round-trip-recorder.ts';

const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
const recorder = new RoundTripRecorder(redis);
const key = uniqueName('rtt');
// Connected first: commands queued while connecting are sent again from the offline queue.
beforeAll(async () => {
  await redis.ping();
});
afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

async function tripsOf(work: () => Promise<unknown>) {
  recorder.clear();
  recorder.recording = true;
  await work();
  recorder.recording = false;
  return roundTrips(recorder.sent);
}

describe('round trips counted client-side', () => {
  it('counts a pipeline, a MULTI block and a Promise.all batch as one round trip each', async () => {
    const trips = await tripsOf(async () => {
      await redis.pipeline().hset(key, 'a', '1').hget(key, 'a').hgetall(key).exec();
      await redis.multi().hset(key, 'b', '2').pexpire(key, 60_000).exec();
      await Promise.all([redis.hget(key, 'a'), redis.hget(key, 'b')]);
    });
    expect(trips.map((trip) => trip.shape)).toEqual(['pipeline', 'pipeline', 'concurrent']);
    expect(describeTrips(trips)).toBe('[hset,hget,hgetall] → [multi,hset,pexpire,exec] → hget+hget');
  });

  it('counts commands that waited for a reply as separate round trips, a concurrent chain by its longest path', async () => {
    const sequential = await tripsOf(async () => {
      await redis.hget(key, 'a');
      await redis.hget(key, 'b');
    });
    expect(sequential).toHaveLength(2);
    const chained = await tripsOf(() =>
      Promise.all([
        redis.hget(key, 'a'),
        (async () => {
          await redis.hget(key, 'b');
          await redis.hget(key, 'c');
        })(),
      ]),
    );
    expect(chained.map((trip) => trip.commands.length)).toEqual([2, 1]);
  });

  it('replays a shape with the same number of round trips and commands', async () => {
    const shape = await tripsOf(async () => {
      await redis.pipeline().hget(key, 'a').hget(key, 'b').exec();
      await Promise.all([redis.hget(key, 'a'), redis.hget(key, 'b'), redis.hget(key, 'c')]);
      await redis.hget(key, 'a');
    });
    const replay = await tripsOf(() => replayTrips(redis, shape));
    expect(replay.map((trip) => [trip.shape, trip.commands.length])).toEqual(shape.map((trip) => [trip.shape, trip.commands.length]));
    expect(replay.flatMap((trip) => trip.commands).every((name) => name === 'ping')).toBe(true);
  });
});
