/**
 * Steal time: the share of this virtual machine's CPU time that the hypervisor gave to other
 * guests while a bench ran (the `steal` column of Linux's /proc/stat). The load average does not
 * show it — on the 2-core VM the benches were tuned on it averaged 8 % since boot with the load
 * average at 0.1 — and a latency ratio read while the host is contended is not the code's: the
 * hypervisor stretches the turn's CPU work and the floor's round trips by different amounts, so
 * the per-turn ratio moves either way (`noisyStealPercent`). Each bench's result records it; none
 * is read where /proc/stat is missing (macOS, Windows).
 */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  /** Ticks stolen by the hypervisor. */
  steal: number;
  /** All ticks: user, nice, system, idle, iowait, irq, softirq and steal (guest time is inside user). */
  total: number;
}

/** The machine-wide `cpu` line of /proc/stat; undefined when it is not there. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 8 || ticks.some((tick) => !Number.isFinite(tick))) return undefined;
  return { steal: ticks[7]!, total: ticks.reduce((sum, tick) => sum + tick, 0) };
}

export function readCpuTimes(path = '/proc/stat'): CpuTimes | undefined {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Steal between two readings, in % of all CPU time (one decimal); undefined without both readings or without ticks between them. */
export function stealPercent(from: CpuTimes | undefined, to: CpuTimes | undefined): number | undefined {
  if (!from || !to) return undefined;
  const total = to.total - from.total;
  if (total <= 0) return undefined;
  return Math.round((1000 * (to.steal - from.steal)) / total) / 10;
}

/**
 * Above this, a bench's latency figures are the host's as much as the code's (the run says so).
 * The turn bench's p50 ratio read 1.75–2.13 at 0–5 % steal; above 8 % it read 2.17–2.91 on one
 * day and 1.15–1.43 (at 23–29 %) on another. A few per cent is this VM's own wake-ups under a
 * round-trip-heavy load.
 */
export const noisyStealPercent = 10;

/** What the run prints after a bench about the steal during it: nothing without a reading, a warning above `noisyStealPercent`. */
export function describeSteal(steal: number | undefined): string {
  if (steal === undefined) return '';
  return ` (host steal ${steal} %${steal > noisyStealPercent ? ": the hypervisor gave this VM's CPU to others, latency figures are noisy" : ''})`;
}
