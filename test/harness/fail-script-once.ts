/**
 * One Redis failure, where a test wants it: the next Lua script call (`EVALSHA`) whose keys (and
 * script, by its sha) match is refused as a dropped connection does ("Connection is closed.", which the bot reads as Redis
 * unavailable); every other command, and every later call, goes through. For "the write of this
 * event failed once" (the inbox push, a session's create).
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';

export interface ScriptFault {
  /** True once the fault was injected. */
  readonly injected: boolean;
  /** Puts the connection's own `evalsha` back. */
  restore(): void;
}

type Evalsha = (sha: string, numberOfKeys: number | string, ...keysAndArguments: (string | number)[]) => Promise<unknown>;

export function failScriptOnce(redis: RedisClient, matches: (keys: string[], sha: string) => boolean): ScriptFault {
  const target = redis as unknown as { evalsha: Evalsha };
  const original = target.evalsha.bind(redis);
  const fault = {
    injected: false,
    restore: () => {
      target.evalsha = original;
    },
  };
  target.evalsha = (sha, numberOfKeys, ...keysAndArguments) => {
    const keys = keysAndArguments.slice(0, Number(numberOfKeys)).map(String);
    if (!fault.injected && matches(keys, sha)) {
      fault.injected = true;
      return Promise.reject(new Error('Connection is closed.'));
    }
    return original(sha, numberOfKeys, ...keysAndArguments);
  };
  return fault;
}
