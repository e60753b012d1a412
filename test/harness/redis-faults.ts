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

export function injectStepFaults(redis: Redis): FaultLog {
  const log: FaultLog = { sites: new Set(), injected: 0 };
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string; reject(error: Error): void; promise: Promise<unknown> }, stream?: unknown) => {
    const plan = scope.getStore();
    if (plan && plan.failed === undefined && !neverFailed.has(command.name.toLowerCase())) {
      plan.calls += 1;
      if (plan.calls === plan.failAt) {
        plan.failed = command.name;
        log.injected += 1;
        log.sites.add(`${plan.failAt}:${command.name}`);
        if (stream === undefined && log.injected % 2 === 0) {
          command.reject(new Error('Connection is closed.'));
          return command.promise;
        }
        command.name = 'tableround-injected-fault';
      }
    }
    return (original as (command: unknown, stream?: unknown) => unknown)(command, stream);
  }) as Redis['sendCommand'];
  return log;
}

/** The real step machine, with each non-final attempt of a step run inside a fault plan. */
export class FaultyStepMachine extends StepMachine {
  private steps = 0;

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
    return scope.run(plan, () => super.process(job, attempt));
  }
}
