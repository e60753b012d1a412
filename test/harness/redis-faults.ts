/**
 * Redis failures at every call site of a step, for the fault-injection test. A step's first
 * attempts run inside a fault plan (AsyncLocalStorage, so every command the step issues — store,
 * outbox, pacing budgets, enqueue — is counted, and nothing outside the step is); the plan's
 * `failAt`-th command fails:
 * - a standalone command alternately as a dropped connection (the client rejects it:
 *   "Connection is closed.") and as a refusal by the server (the command is renamed, so Redis
 *   answers an error, as it does under OOM or a READONLY replica);
 * - a command inside a pipeline or MULTI always as a server refusal (the transaction aborts,
 *   the pipeline reports the error).
 * The final attempt runs clean, so every step can still complete.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import { StepMachine, type PipelineHooks, type StepResult } from '../../src/pipeline/step-machine.ts';
import type { EngineDependencies } from '../../src/engine/step-context.ts';

export interface FaultPlan {
  failAt: number;
  calls: number;
  /** The command that was made to fail, once it has. */
  failed?: string;
}

const scope = new AsyncLocalStorage<FaultPlan>();
const neverFailed = new Set(['multi', 'exec', 'discard', 'watch', 'unwatch', 'select', 'info', 'client']);

export interface FaultLog {
  /** `${callIndex}:${command}` of every fault injected. */
  sites: Set<string>;
  injected: number;
}

type FaultyCommand = { name: string; reject(error: Error): void; promise: Promise<unknown> };

/**
 * Decides, in the async context that issues a command, whether it is the plan's failing one.
 * Commands are attributed where our code issues them: a standalone command at `redis.sendCommand`,
 * a command of a pipeline, a MULTI block or ioredis's auto-pipeline (the main connection's) when
 * it is queued (`Pipeline#sendCommand`) — not when the batch is written, which happens on a later
 * tick in the context of whichever command opened the batch (other sessions' commands share it).
 */
function planFault(log: FaultLog, command: FaultyCommand, pipelined: boolean): 'reject' | 'rename' | undefined {
  const plan = scope.getStore();
  if (!plan || plan.failed !== undefined || neverFailed.has(command.name.toLowerCase())) return undefined;
  plan.calls += 1;
  if (plan.calls !== plan.failAt) return undefined;
  plan.failed = command.name;
  log.injected += 1;
  log.sites.add(`${plan.failAt}:${command.name}`);
  return !pipelined && log.injected % 2 === 0 ? 'reject' : 'rename';
}

export function injectStepFaults(redis: Redis, log: FaultLog = { sites: new Set(), injected: 0 }): FaultLog {
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: FaultyCommand, stream?: unknown) => {
    // With a stream: a queued command being written; it was decided when it was queued.
    const fault = stream === undefined ? planFault(log, command, false) : undefined;
    if (fault === 'reject') {
      command.reject(new Error('Connection is closed.'));
      return command.promise;
    }
    if (fault === 'rename') command.name = 'tableround-injected-fault';
    return (original as (command: unknown, stream?: unknown) => unknown)(command, stream);
  }) as Redis['sendCommand'];
  // The pipeline class is shared by every connection of the process: wrapped once, for the latest log.
  pipelineLog = log;
  const pipelinePrototype = Object.getPrototypeOf(redis.pipeline()) as { sendCommand(command: FaultyCommand): unknown; [wrapped]?: true };
  if (!pipelinePrototype[wrapped]) {
    const queue = pipelinePrototype.sendCommand;
    pipelinePrototype.sendCommand = function (this: unknown, command: FaultyCommand) {
      if (pipelineLog && planFault(pipelineLog, command, true) === 'rename') command.name = 'tableround-injected-fault';
      return queue.call(this, command);
    };
    pipelinePrototype[wrapped] = true;
  }
  return log;
}

const wrapped = Symbol('tableround fault injection');
let pipelineLog: FaultLog | undefined;

/** The real step machine, with each non-final attempt of a step run inside a fault plan. */
export class FaultyStepMachine extends StepMachine {
  private steps = 0;
  /** Redis calls of each step attempt that ran to its end without reaching its planned fault (its whole count). */
  readonly unfaultedCalls: number[] = [];

  constructor(
    dependencies: EngineDependencies,
    hooks: PipelineHooks,
    private readonly maxSite: number,
  ) {
    super(dependencies, hooks);
  }

  override process(job: Parameters<StepMachine['process']>[0], attempt: Parameters<StepMachine['process']>[1]): Promise<StepResult> {
    if (attempt.final) return super.process(job, attempt);
    // Walks through every call site in turn: step n fails its ((n mod maxSite) + 1)-th command.
    const plan: FaultPlan = { failAt: (this.steps++ % this.maxSite) + 1, calls: 0 };
    return scope.run(plan, async () => {
      const result = await super.process(job, attempt);
      if (plan.failed === undefined && result === 'ran') this.unfaultedCalls.push(plan.calls);
      return result;
    });
  }
}
