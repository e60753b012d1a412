/** The steal time a bench records: read from /proc/stat's `cpu` line, as a share of all CPU time between two readings. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSteal, noisyStealPercent, parseProcStat, readCpuTimes, stealPercent } from '../../bench/host-steal.ts';

// A /proc/stat of a 2-CPU guest (proc(5): user nice system idle iowait irq softirq steal guest guest_nice).
const before = `cpu  524386 246 103256 1182247 1625 0 39025 101374 0 0
cpu0 262193 123 51628 591123 812 0 19512 50687 0 0
cpu1 262193 123 51628 591124 813 0 19513 50687 0 0
intr 123456 0 0
ctxt 987654
`;

describe('host steal time', () => {
  it('reads the steal ticks and the total of the first eight columns of the machine-wide cpu line', () => {
    expect(parseProcStat(before)).toEqual({ steal: 101374, total: 524386 + 246 + 103256 + 1182247 + 1625 + 0 + 39025 + 101374 });
  });

  it('gives the stolen share of the ticks between two readings, in percent', () => {
    expect(stealPercent({ steal: 100, total: 1_000 }, { steal: 130, total: 2_000 })).toBe(3);
    expect(stealPercent({ steal: 100, total: 1_000 }, { steal: 100, total: 1_300 })).toBe(0);
  });

  it('gives nothing where there is nothing to read: no cpu line, a missing file, no ticks between the readings', () => {
    expect(parseProcStat('intr 1 2 3\n')).toBeUndefined();
    expect(parseProcStat('cpu  1 2 x 4 5 6 7 8\n')).toBeUndefined();
    expect(readCpuTimes(join(tmpdir(), 'no-such-dir', 'stat'))).toBeUndefined();
    expect(stealPercent(undefined, { steal: 1, total: 2 })).toBeUndefined();
    expect(stealPercent({ steal: 1, total: 2 }, { steal: 1, total: 2 })).toBeUndefined();
  });

  it('reads a stat file from disk', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'steal-')), 'stat');
    writeFileSync(path, before);
    expect(readCpuTimes(path)?.steal).toBe(101374);
  });

  it('warns of a contended host only above the threshold, and says nothing without a reading', () => {
    expect(describeSteal(undefined)).toBe('');
    expect(describeSteal(3.1)).toBe(' (host steal 3.1 %)');
    expect(describeSteal(noisyStealPercent)).not.toContain('noisy');
    expect(describeSteal(27.6)).toContain('latency figures are noisy');
  });
});
