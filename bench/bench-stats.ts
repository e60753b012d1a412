/**
 * Small helpers shared by the benches: percentiles over millisecond samples, env-overridable
 * sizes, and the JSON result files under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tuneHeap } from '../src/app/heap-tuning.ts';
import { configFrom } from '../src/config/load-config.ts';

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** Nearest-rank percentile of `samples` (ms); NaN for no samples. */
export function percentile(samples: number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function round(value: number, digits = 3): number {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
}

export function summarise(samples: number[]): LatencySummary {
  const mean = samples.length ? samples.reduce((sum, sample) => sum + sample, 0) / samples.length : Number.NaN;
  return {
    samples: samples.length,
    p50Ms: round(percentile(samples, 0.5)),
    p90Ms: round(percentile(samples, 0.9)),
    p99Ms: round(percentile(samples, 0.99)),
    meanMs: round(mean),
    maxMs: round(percentile(samples, 1)),
  };
}

/** A positive integer from the environment (bench sizes), or the fallback. */
export function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${JSON.stringify(raw)}`);
  return value;
}

/** bench/results/ of the project (npm runs the benches from its root, compiled or not). */
export const resultsDir = `${join(process.cwd(), 'bench', 'results')}/`;

/** Writes bench/results/<name>.json and returns its path. */
export function writeResult(name: string, result: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = `${resultsDir}${name}.json`;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export function megabytes(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The bot's heap policy (src/app/heap-tuning.ts) in a bench process, as the entry point applies
 * it: HEAP_GROWING_PERCENT from the environment, else the configured default (0 = V8's own).
 */
export function applyBotHeapPolicy(): number {
  const { HEAP_GROWING_PERCENT } = configFrom({ OPENAI_API_KEY: 'unused', ...(process.env.HEAP_GROWING_PERCENT ? { HEAP_GROWING_PERCENT: process.env.HEAP_GROWING_PERCENT } : {}) });
  tuneHeap(HEAP_GROWING_PERCENT);
  return HEAP_GROWING_PERCENT;
}

/** The most frequent value by key, and how often it occurred. */
export function commonest<T>(values: T[], key: (value: T) => string): { value: T; occurrences: number } | undefined {
  const counts = new Map<string, { value: T; occurrences: number }>();
  for (const value of values) {
    const entry = counts.get(key(value)) ?? { value, occurrences: 0 };
    entry.occurrences += 1;
    counts.set(key(value), entry);
  }
  return [...counts.values()].sort((left, right) => right.occurrences - left.occurrences)[0];
}
