/**
 * Prometheus metrics (prom-client), one registry per app. Served at `/metrics` on HTTP_PORT.
 * Labels are bounded sets (step kinds, model names from config, error codes, platforms).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly steps = new Counter({ name: 'tableround_steps_total', help: 'Session steps run, by kind and outcome', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  readonly turns = new Counter({ name: 'tableround_persona_turns_total', help: 'Persona speeches posted (introductions, turns, stories)', registers: [this.registry] });
  readonly stepSeconds = new Histogram({
    name: 'tableround_step_duration_seconds',
    help: 'Time to run one step, model call and posts included',
    labelNames: ['kind'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly modelSeconds = new Histogram({
    name: 'tableround_model_call_duration_seconds',
    help: 'Model call latency',
    labelNames: ['model', 'outcome'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 90],
    registers: [this.registry],
  });
  readonly tokens = new Counter({ name: 'tableround_model_tokens_total', help: 'Tokens by model and direction', labelNames: ['model', 'direction'], registers: [this.registry] });
  readonly queueWaitSeconds = new Histogram({
    name: 'tableround_queue_wait_seconds',
    help: 'Time a step job waited in the queue before a worker took it',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'tableround_queue_depth', help: 'Step jobs by state (sampled at scrape)', labelNames: ['state'], registers: [this.registry] });
  readonly platform429s = new Counter({ name: 'tableround_platform_429_total', help: '429 responses from chat platforms', labelNames: ['platform'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'tableround_errors_total', help: 'Errors by code', labelNames: ['code'], registers: [this.registry] });
  readonly sessionsRekicked = new Counter({
    name: 'tableround_sessions_rekicked_total',
    help: 'Sessions the sweeper found with pending work and no live job (kicked: job missing; revived: job dead)',
    labelNames: ['how'],
    registers: [this.registry],
  });
  readonly stepDeadlines = new Counter({ name: 'tableround_step_deadlines_total', help: 'Steps aborted for running past STEP_DEADLINE_MS', registers: [this.registry] });
  readonly stepsRevived = new Counter({ name: 'tableround_steps_revived_total', help: 'Dead step jobs replaced under a new epoch (retry) or skipped', labelNames: ['outcome'], registers: [this.registry] });
  readonly pendingOldestSeconds = new Gauge({ name: 'tableround_pending_oldest_age_seconds', help: 'Age of the oldest pending-work mark (sampled by the sweeper)', registers: [this.registry] });
  readonly stepsHandedBack = new Counter({
    name: 'tableround_steps_handed_back_total',
    help: 'Steps a worker handed back because it has no adapter for their platform (another worker may have one)',
    labelNames: ['platform'],
    registers: [this.registry],
  });
  readonly stepsSkipped = new Counter({ name: 'tableround_steps_skipped_total', help: 'Steps skipped after their final failure, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly structuredOutcomes = new Counter({
    name: 'tableround_structured_outcomes_total',
    help: 'Structured model answers (keywords, ballot, closing_summary) by outcome: accepted, repaired, retried, skipped',
    labelNames: ['name', 'outcome'],
    registers: [this.registry],
  });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'tableround_' });
  }
}
