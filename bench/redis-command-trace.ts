/**
 * Counts the Redis commands and round trips one step costs, with MONITOR (so only outside the
 * timed runs: MONITOR slows Redis down). Commands of the engine's main connection (store +
 * queue.add) are split into steps at each snapshot script (SessionStore.snapshot starts a step);
 * a MULTI…EXEC block is one round trip. An EVALSHA of the store's scripts is named for its script
 * (`evalsha:commit`), another by its SHA's first characters. Commands run inside Lua scripts (our
 * commit, BullMQ's scripts) and on BullMQ's worker connections are counted in total.
 */
import { Redis } from 'ioredis';
import type { RedisClient } from '../src/store/redis-connection.ts';
import { RedisScript } from '../src/store/redis-script.ts';
import * as sessionScripts from '../src/store/session-scripts.ts';
import * as expiringWrites from '../src/store/expiring-writes.ts';
import * as stepOutbox from '../src/pipeline/step-outbox.ts';
import { commonest } from './bench-stats.ts';

/** The scripts a step runs on the main connection, by SHA1: `snapshotScript` → `snapshot`. */
const scriptNames = new Map(
  [sessionScripts, expiringWrites, stepOutbox]
    .flatMap((module) => Object.entries(module))
    .filter((entry): entry is [string, RedisScript] => entry[1] instanceof RedisScript)
    .map(([name, script]) => [script.sha, name.replace(/Script$/, '')]),
);

/** A command's name as traced: `evalsha:<script>` for a script, its key the script's first key. */
export function tracedCommand(args: readonly string[], source: string): TracedCommand {
  const name = (args[0] ?? '').toLowerCase();
  if (name !== 'evalsha') return { source, name, key: args[1] ?? '' };
  const sha = args[1] ?? '';
  return { source, name: `evalsha:${scriptNames.get(sha) ?? sha.slice(0, 8)}`, key: Number(args[2]) > 0 ? (args[3] ?? '') : '' };
}

export interface TracedCommand {
  source: string;
  name: string;
  key: string;
}

export interface CommandTrace {
  stop(): Promise<TracedCommand[]>;
}

export async function startCommandTrace(url: string): Promise<CommandTrace> {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  const monitor = await client.monitor();
  const commands: TracedCommand[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    commands.push(tracedCommand(args, source));
  });
  return {
    async stop() {
      monitor.disconnect();
      client.disconnect();
      return commands;
    },
  };
}

/** `addr` of a connection as Redis sees it (the source column of MONITOR). */
export async function clientAddress(redis: RedisClient): Promise<string> {
  const info = (await redis.call('CLIENT', 'INFO')) as string;
  const address = /\baddr=(\S+)/.exec(info)?.[1];
  if (!address) throw new Error(`no addr in CLIENT INFO: ${info}`);
  return address;
}

export interface StepSignature {
  /** Command names in order; a MULTI block is shown as multi[cmd,cmd,…]. */
  sequence: string[];
  roundTrips: number;
  commands: number;
}

/** Splits the main connection's commands into steps and describes each. */
export function stepSignatures(commands: TracedCommand[], mainAddress: string): StepSignature[] {
  const steps: StepSignature[] = [];
  let current: StepSignature | undefined;
  let block: string[] | undefined;
  for (const command of commands) {
    if (command.source !== mainAddress) continue;
    if (command.name === 'evalsha:snapshot' && !block) {
      current = { sequence: [], roundTrips: 0, commands: 0 };
      steps.push(current);
    }
    if (!current) continue;
    current.commands += 1;
    if (command.name === 'multi') {
      block = [];
      current.roundTrips += 1;
    } else if (block && command.name === 'exec') {
      current.sequence.push(`multi[${block.join(',')}]`);
      block = undefined;
    } else if (block) {
      block.push(command.name);
    } else {
      current.roundTrips += 1;
      current.sequence.push(command.name);
    }
  }
  return steps;
}

/** The most frequent step signature (the discussion turn, when most steps are turns) and how often it occurred. */
export function commonestSignature(steps: StepSignature[]): { signature: StepSignature; occurrences: number } | undefined {
  const found = commonest(steps, (step) => step.sequence.join(' '));
  return found && { signature: found.value, occurrences: found.occurrences };
}

export function countBySource(commands: TracedCommand[], mainAddress: string): { main: number; lua: number; otherConnections: number } {
  let main = 0;
  let lua = 0;
  let otherConnections = 0;
  for (const command of commands) {
    if (command.source === mainAddress) main += 1;
    else if (command.source === 'lua') lua += 1;
    else otherConnections += 1;
  }
  return { main, lua, otherConnections };
}
