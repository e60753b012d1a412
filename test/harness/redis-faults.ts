/**
 * Redis failures at every call site of every kind of step, for the fault-injection test. Every
 * attempt of a step runs inside a fault plan (AsyncLocalStorage, so every command the step issues
 * — store, outbox, pacing budgets, enqueue — is counted, and nothing outside the step is); in a
 * non-final attempt the plan's `failAt`-th command fails, the site chosen per step kind
 * (`FaultyStepMachine`):
 * - a standalone command alternately as a dropped connection (the client rejects it:
 *   "Connection is closed.") and as a refusal by the server (the command is renamed, so Redis
 *   answers an error, as it does under OOM or a READONLY replica);
 * - a command inside a pipeline or MULTI always as a server refusal (the transaction aborts,
 *   the pipeline reports the error).
 * The final attempt runs clean, so every step can still complete.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Redis } from 'ioredis';
import type { RedisClient } from '../../src/store/redis-connection.ts';
import { StepMachine, type PipelineHooks, type StepResult } from '../../src/pipeline/step-machine.ts';
import type { EngineDependencies } from '../../src/engine/step-context.ts';

export interface FaultPlan {
  /** The call to fail (1-based); none: the attempt runs clean (its calls are still counted). */
  failAt?: number;
  calls: number;
  /** The command that was made to fail, once it has. */
  failed?: string;
  /** The step kind, once the step machine names it, and the calls made before that. */
  kind?: string;
  kindKnownAt?: number;
  /** Chooses `failAt` once the kind is known, among the calls after `after`. */
  choose?: (kind: string, after: number) => number | undefined;
  /** The last few commands counted, for a diagnosis of an attempt that never ends. */
  recent?: string[];
}

const scope = new AsyncLocalStorage<FaultPlan>();
const neverFailed = new Set(['multi', 'exec', 'discard', 'watch', 'unwatch', 'select', 'info', 'client']);

export interface FaultLog {
  /** `${callIndex}:${command}` of every fault injected. */
  sites: Set<string>;
  injected: number;
}

type FaultyCommand = { name: string; args?: unknown[]; reject(error: Error): void; promise: Promise<unknown> };

/**
 * Decides, in the async context that issues a command, whether it is the plan's failing one.
 * Commands are attributed where our code issues them: a standalone command at `redis.sendCommand`,
 * a command of a pipeline, a MULTI block or ioredis's auto-pipeline (the main connection's) when
 * it is queued (`Pipeline#sendCommand`) — not when the batch is written, which happens on a later
 * tick in the context of whichever command opened the batch (other sessions' commands share it).
 */
function planFault(log: FaultLog, command: FaultyCommand, pipelined: boolean): 'reject' | 'rename' | undefined {
  const plan = scope.getStore();
  if (!plan || neverFailed.has(command.name.toLowerCase())) return undefined;
  // A script's first key says what it was (a rate budget, the outbox …); kept after the fault too.
  const key = command.name.toLowerCase() === 'evalsha' ? command.args?.[2] : command.args?.[0];
  (plan.recent ??= []).push(key === undefined ? command.name : `${command.name} ${String(key).slice(-40)}`);
  if (plan.recent.length > 6) plan.recent.shift();
  if (plan.failed !== undefined) return undefined;
  plan.calls += 1;
  if (plan.calls !== plan.failAt) return undefined;
  plan.failed = command.name;
  log.injected += 1;
  log.sites.add(`${plan.failAt}:${command.name}`);
  return !pipelined && log.injected % 2 === 0 ? 'reject' : 'rename';
}

export function injectStepFaults(client: RedisClient, log: FaultLog = { sites: new Set(), injected: 0 }): FaultLog {
  if (!(client instanceof Redis)) throw new Error('injectStepFaults wraps one Redis node\'s connection, not a cluster client');
  const redis = client;
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

/** One run of a step job as the fault harness saw it. */
export interface StepAttempt {
  /** `${sessionId}|${seq}|${epoch}`: the attempts of one job share it. */
  job: string;
  /** 1 for the job's first attempt in this process. */
  number: number;
  final: boolean;
  /** The step kind it ran, once known (at the step's start); see `kindOfAttempt` for attempts that failed before. */
  kind?: string;
  /** Redis calls made before the kind was known (the snapshot, the claim …). */
  kindKnownAt?: number;
  calls: number;
  /** The call that was made to fail (1-based), and its command, if the fault was reached. */
  failedAt?: number;
  command?: string;
  result: StepResult | 'threw';
  /** What it threw, when it did. */
  error?: string;
}

/** Per step kind: how many of its Redis call sites were failed, out of how many a clean first run makes. */
export interface KindCoverage {
  kind: string;
  /** Clean first runs: first attempts that ran to the end with no fault injected. */
  cleanRuns: number;
  /** The commonest call count of the clean first runs (0 when there were none). */
  sites: number;
  /** Sites 1…`sites` failed at least once in an attempt of this kind. */
  failed: number[];
  missing: number[];
  /** Faults injected in attempts of this kind, in all. */
  faults: number;
  attempts: number;
}

/**
 * The real step machine, with each non-final attempt of a step run inside a fault plan, the
 * failing call site chosen per step kind: the first `calibration` first attempts of each kind run
 * clean (their call count is the kind's number of sites); after that each attempt fails the
 * lowest site of its kind not failed yet (then round and round), so a kind that occurs once a
 * session has all its sites failed within a few sessions instead of waiting for a global cycle
 * to line up with it. The final attempt runs clean, so every step can still complete.
 *
 * The kind is known before the attempt when the job ran before (an earlier attempt learned it)
 * or when the session's inbox is empty (the step is the agenda's first); otherwise — the step is
 * planned from a person's message or command — it is learned at the step's start (the step
 * machine's `stepSeconds` timer, labelled with the kind), and the site is chosen among the calls
 * still to come. The prefix before the kind (snapshot, claim) is failed in the job's next attempt.
 */
export class FaultyStepMachine extends StepMachine {
  readonly attempts: StepAttempt[] = [];
  private readonly jobKinds = new Map<string, string>();
  private readonly attemptsOfJob = new Map<string, number>();
  /** What the attempts still running chose: a site, or to run clean as one of their kind's calibrations. */
  private readonly reserved = new Set<Reservation>();
  /** Per kind, how many times the round of its sites went on after all were failed. */
  private readonly turns = new Map<string, number>();
  /** Attempts running now. */
  private readonly running = new Set<{ job: string; number: number; final: boolean; startedAt: number; plan: FaultPlan }>();

  constructor(
    private readonly engine: EngineDependencies,
    hooks: PipelineHooks,
    private readonly options: { calibration: number; maxSite: number },
  ) {
    super(withKindProbe(engine), hooks);
  }

  override async process(job: Parameters<StepMachine['process']>[0], attempt: Parameters<StepMachine['process']>[1]): Promise<StepResult> {
    const key = `${job.sessionId}|${job.seq}|${job.epoch}`;
    const number = (this.attemptsOfJob.get(key) ?? 0) + 1;
    this.attemptsOfJob.set(key, number);
    const plan: FaultPlan = { calls: 0 };
    const reservation: Reservation = { kind: '', calibration: false };
    const reserve = (kind: string, after: number) => {
      Object.assign(reservation, { kind }, this.chooseSite(kind, after, number === 1));
      this.reserved.add(reservation);
      return reservation.site;
    };
    if (!attempt.final) {
      // Read outside the plan: not counted, never failed.
      const kind = this.jobKinds.get(key) ?? (await this.agendaHead(job.sessionId).catch(() => undefined));
      if (kind !== undefined) plan.failAt = reserve(kind, 0);
      else plan.choose = reserve;
    }
    const record: StepAttempt = { job: key, number, final: attempt.final, calls: 0, result: 'threw' };
    const running = { job: key, number, final: attempt.final, startedAt: Date.now(), plan };
    this.running.add(running);
    try {
      record.result = await scope.run(plan, () => super.process(job, attempt));
      return record.result;
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw error;
    } finally {
      this.running.delete(running);
      Object.assign(record, { calls: plan.calls }, plan.kind ? { kind: plan.kind, kindKnownAt: plan.kindKnownAt } : {}, plan.failed ? { failedAt: plan.failAt, command: plan.failed } : {});
      if (plan.kind) this.jobKinds.set(key, plan.kind);
      this.attempts.push(record);
      this.reserved.delete(reservation);
    }
  }

  /** One session's attempts, finished and running, for a failure message. */
  attemptsOf(sessionId: string): unknown[] {
    const mine = (job: string) => job.startsWith(`${sessionId}|`);
    const now = Date.now();
    return [
      ...this.attempts.filter((attempt) => mine(attempt.job)).slice(-12).map((attempt) => ({ ...attempt, kind: this.kindOfAttempt(attempt) })),
      ...[...this.running].filter((run) => mine(run.job)).map((run) => ({ job: run.job, number: run.number, final: run.final, runningForMs: now - run.startedAt, kind: run.plan.kind, calls: run.plan.calls, failedAt: run.plan.failed ? run.plan.failAt : undefined, command: run.plan.failed, recent: run.plan.recent })),
    ];
  }

  /** The step kind an attempt ran: its own, or the one another attempt of its job learned, or how it ended. */
  kindOfAttempt(attempt: StepAttempt): string {
    return attempt.kind ?? this.jobKinds.get(attempt.job) ?? `(${attempt.result})`;
  }

  /** Site coverage of every kind that had at least `minimumCleanRuns` clean first runs. */
  coverage(minimumCleanRuns: number): KindCoverage[] {
    const kinds = [...new Set(this.attempts.map((attempt) => this.kindOfAttempt(attempt)))].sort();
    return kinds.flatMap((kind) => {
      const mine = this.attempts.filter((attempt) => this.kindOfAttempt(attempt) === kind);
      const clean = cleanFirstRuns(mine);
      if (clean.length < minimumCleanRuns) return [];
      const sites = commonest(clean.map((attempt) => attempt.calls));
      const failedSites = new Set(mine.flatMap((attempt) => (attempt.failedAt === undefined ? [] : [attempt.failedAt])));
      const all = Array.from({ length: sites }, (_, index) => index + 1);
      return [{ kind, cleanRuns: clean.length, sites, failed: all.filter((site) => failedSites.has(site)), missing: all.filter((site) => !failedSites.has(site)), faults: mine.filter((attempt) => attempt.failedAt !== undefined).length, attempts: mine.length }];
    });
  }

  /**
   * The site to fail in an attempt of `kind` whose first `after` calls are made already: none
   * in a first attempt while the kind is calibrating (counting the calibrations still running),
   * else its lowest site neither failed yet nor chosen by an attempt still running (sessions run
   * side by side: their closings come together), else the next in turn; among sites 1…(the
   * longest clean first run of the kind, or `maxSite` before one finished).
   */
  private chooseSite(kind: string, after: number, first: boolean): { site?: number; calibration: boolean } {
    const mine = this.attempts.filter((attempt) => this.kindOfAttempt(attempt) === kind);
    const clean = cleanFirstRuns(mine);
    const running = [...this.reserved].filter((reservation) => reservation.kind === kind);
    if (first && clean.length + running.filter((reservation) => reservation.calibration).length < this.options.calibration) return { calibration: true };
    const last = clean.length ? Math.min(this.options.maxSite, Math.max(...clean.map((attempt) => attempt.calls))) : this.options.maxSite;
    if (last <= after) return { calibration: false };
    const taken = new Set(mine.flatMap((attempt) => (attempt.failedAt === undefined ? [] : [attempt.failedAt])));
    for (const reservation of running) if (reservation.site !== undefined) taken.add(reservation.site);
    for (let site = after + 1; site <= last; site += 1) if (!taken.has(site)) return { site, calibration: false };
    const turn = (this.turns.get(kind) ?? 0) + 1;
    this.turns.set(kind, turn);
    return { site: after + 1 + (turn % (last - after)), calibration: false };
  }

  /** The step the session runs next when its inbox is empty (nothing to plan): the agenda's first. */
  private async agendaHead(sessionId: string): Promise<string | undefined> {
    const { store } = this.engine;
    const [agenda, inbox] = await Promise.all([store.redis.hget(store.key('meta', sessionId), 'agenda'), store.redis.llen(store.key('inbox', sessionId))]);
    if (inbox > 0 || !agenda) return undefined;
    return (JSON.parse(agenda) as { kind?: string }[])[0]?.kind;
  }
}

interface Reservation {
  kind: string;
  site?: number;
  calibration: boolean;
}

function cleanFirstRuns(attempts: StepAttempt[]): StepAttempt[] {
  return attempts.filter((attempt) => attempt.number === 1 && !attempt.final && attempt.failedAt === undefined && attempt.result === 'ran');
}

/** The most frequent value (the larger one on a tie); 0 for none. */
function commonest(values: number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((left, right) => right[1] - left[1] || right[0] - left[0])[0]?.[0] ?? 0;
}

/**
 * The engine's dependencies with a metrics object that tells the running attempt's fault plan
 * its step kind: the step machine starts `stepSeconds`' timer, labelled with the kind, as the
 * step begins (after the snapshot and the claim, before the step's own calls).
 */
function withKindProbe(engine: EngineDependencies): EngineDependencies {
  const metrics = engine.metrics;
  if (!metrics) throw new Error('the fault harness learns step kinds from the engine metrics; start the app with them');
  const histogram = metrics.stepSeconds;
  const stepSeconds = Object.create(histogram, {
    startTimer: {
      value: (labels?: Record<string, string | number>) => {
        const plan = scope.getStore();
        const kind = labels?.kind;
        if (plan && typeof kind === 'string' && plan.kind === undefined) {
          plan.kind = kind;
          plan.kindKnownAt = plan.calls;
          if (plan.choose && plan.failAt === undefined) plan.failAt = plan.choose(kind, plan.calls);
        }
        return histogram.startTimer(labels);
      },
    },
  }) as typeof histogram;
  return { ...engine, metrics: Object.assign(Object.create(metrics) as typeof metrics, { stepSeconds }) };
}
