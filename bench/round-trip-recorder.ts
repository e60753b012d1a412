/**
 * Counts Redis round trips the way the client pays for them: every command one connection sends,
 * with the time it was written and the time its reply came back. Commands sent while another of
 * the same batch is still unanswered (a pipeline, a MULTI block, a `Promise.all`) share one round
 * trip; a command sent after a reply of the batch it would join starts the next one (it waited
 * for that reply). So `Promise.all([a, b])` is one round trip, `await a; await b` two, and
 * `Promise.all([a, (async () => { await b; await c; })()])` two — its longest chain.
 *
 * The floor replays the batches this finds (their sizes, pipelined or concurrent) with PINGs.
 */
import type { RedisClient } from '../src/store/redis-connection.ts';

export interface SentCommand {
  name: string;
  /** Sent as part of a pipeline or MULTI block (ioredis passes the stream), not on its own. */
  pipelined: boolean;
  sentAt: number;
  repliedAt: number;
}

export interface RoundTrip {
  commands: string[];
  /** How the batch was sent: one pipeline write, or commands sent concurrently. */
  shape: 'pipeline' | 'concurrent' | 'single';
}

interface CommandLike {
  name: string;
  promise: Promise<unknown>;
}

export class RoundTripRecorder {
  recording = false;
  readonly sent: SentCommand[] = [];

  /** Wraps `redis.sendCommand` of this one connection (pipelines and MULTI go through it too) until `dispose`. */
  constructor(private readonly redis: RedisClient) {
    const send = redis.sendCommand.bind(redis) as (command: CommandLike, stream?: unknown, node?: unknown) => unknown;
    (redis as unknown as { sendCommand: typeof send }).sendCommand = (command, stream, node) => {
      if (this.recording) {
        const entry: SentCommand = { name: command.name.toLowerCase(), pipelined: stream !== undefined, sentAt: performance.now(), repliedAt: Number.POSITIVE_INFINITY };
        this.sent.push(entry);
        const settle = () => {
          entry.repliedAt = performance.now();
        };
        command.promise.then(settle, settle);
      }
      return send(command, stream, node);
    };
  }

  clear(): void {
    this.sent.length = 0;
  }

  /** Unwraps the connection (its own `sendCommand` again): what is timed afterwards runs without the recorder. */
  dispose(): void {
    this.recording = false;
    delete (this.redis as unknown as { sendCommand?: unknown }).sendCommand;
  }
}

/** Groups commands (in the order sent) into round trips. */
export function roundTrips(commands: readonly SentCommand[]): RoundTrip[] {
  const trips: RoundTrip[] = [];
  let batch: SentCommand[] = [];
  let firstReply = Number.POSITIVE_INFINITY;
  const close = () => {
    if (batch.length === 0) return;
    const shape = batch.length === 1 ? 'single' : batch.every((command) => command.pipelined) ? 'pipeline' : 'concurrent';
    trips.push({ commands: batch.map((command) => command.name), shape });
  };
  for (const command of [...commands].sort((left, right) => left.sentAt - right.sentAt)) {
    if (batch.length > 0 && command.sentAt >= firstReply) {
      close();
      batch = [];
      firstReply = Number.POSITIVE_INFINITY;
    }
    batch.push(command);
    firstReply = Math.min(firstReply, command.repliedAt);
  }
  close();
  return trips;
}

/** `hgetall,hget | evalsha` — a readable signature of a step's round trips. */
export function describeTrips(trips: readonly RoundTrip[]): string {
  return trips.map((trip) => (trip.shape === 'pipeline' ? `[${trip.commands.join(',')}]` : trip.commands.join('+'))).join(' → ');
}

/** Replays round trips with PINGs of the same batch sizes and shapes (the floor's Redis part). */
export async function replayTrips(redis: RedisClient, trips: readonly Pick<RoundTrip, 'commands' | 'shape'>[]): Promise<void> {
  for (const trip of trips) {
    if (trip.shape === 'pipeline') {
      const pipeline = redis.pipeline();
      for (let index = 0; index < trip.commands.length; index += 1) pipeline.ping();
      await pipeline.exec();
    } else if (trip.shape === 'concurrent') {
      await Promise.all(trip.commands.map(() => redis.ping()));
    } else {
      await redis.ping();
    }
  }
}
