/**
 * `npm run bench -- --check`: compares a run with the committed aims (bench/bench-aims.json) —
 * ratios against references measured in the same run, and counts, never absolute times — and
 * says which were missed. A person runs it before a release; it is not part of `npm test`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { numberAt, type BenchResults } from './bench-summary.ts';

export interface Aim {
  /** What is compared, in words. */
  figure: string;
  bench: string;
  /** Dotted path of the ratio (or count) in the bench's JSON result. */
  path: string;
  max?: number;
  min?: number;
}

export interface AimResult extends Aim {
  value: number | undefined;
  met: boolean | undefined;
}

export function loadAims(file = join(process.cwd(), 'bench', 'bench-aims.json')): Aim[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { aims: Aim[] };
  return parsed.aims;
}

/** Each aim against the run; `met` undefined when its bench did not run (BENCH_ONLY). */
export function checkAims(aims: Aim[], results: BenchResults): AimResult[] {
  return aims.map((aim) => {
    const result = results[aim.bench];
    if (!result) return { ...aim, value: undefined, met: undefined };
    const value = numberAt(result, aim.path);
    const met = value !== undefined && (aim.max === undefined || value <= aim.max) && (aim.min === undefined || value >= aim.min);
    return { ...aim, value, met };
  });
}

export function renderAims(checked: AimResult[]): string {
  return checked
    .map((aim) => {
      const bound = [aim.min !== undefined ? `≥ ${aim.min}` : '', aim.max !== undefined ? `≤ ${aim.max}` : ''].filter(Boolean).join(' and ');
      const mark = aim.met === undefined ? '·' : aim.met ? '✓' : '✗';
      return `${mark} ${aim.figure}: ${aim.value ?? (aim.met === undefined ? 'not run' : 'missing')} (aim ${bound})`;
    })
    .join('\n');
}
