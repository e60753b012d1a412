/**
 * A chart (the core's `ChartData`) as Slack's `data_visualization` block, a bar chart fitted to
 * Slack's limits (docs.slack.dev/reference/block-kit/blocks/data-visualization-block; research-14
 * §1): title ≤ 50 characters; axis titles ≤ 50; category, point and series names ≤ 20, category
 * and series names unique; 1–20 categories, every series one point per category; 1–6 series
 * (implementations report 12 accepted; 6 is the documented envelope); at most 2 chart blocks in
 * one message (undocumented, enforced). The block has no alt text: the message's `text` must say
 * the numbers.
 *
 * Fitting: the 20 categories with the largest totals are kept, in the order given (the rest are
 * left out, not summed); names too long are cut with an ellipsis, and names that come out alike
 * get a number (`…2`) until all are distinct. Lengths are counted in UTF-16 code units, which is
 * never fewer than Slack's characters, and cuts fall between code points.
 */
import type { ChartData } from '../../src/adapter/chat-adapter.ts';

export const chartBlockLimits = {
  title: 50,
  axisLabel: 50,
  name: 20,
  categories: 20,
  series: 6,
  chartsPerMessage: 2,
  blockId: 255,
} as const;

export interface DataPoint {
  label: string;
  value: number;
}

export interface DataVisualizationBlock {
  type: 'data_visualization';
  block_id?: string;
  title: string;
  chart: {
    type: 'bar';
    series: { name: string; data: DataPoint[] }[];
    axis_config: { categories: string[]; x_label?: string; y_label?: string };
  };
}

/** The longest start of `text` within `limit` UTF-16 code units, cut between code points. */
function cut(text: string, limit: number): string {
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > limit) break;
    kept += character;
  }
  return kept;
}

/** `text` on one line within `limit` UTF-16 code units; a longer one is cut and ends in an ellipsis. */
export function clipName(text: string, limit: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= limit ? clean : `${cut(clean, limit - 1).trimEnd()}…`;
}

/** Names within `limit`, pairwise distinct (exactly, and ignoring case): a clash gets `…2`, `…3`… */
export function distinctNames(names: readonly string[], limit: number, fallback: (index: number) => string): string[] {
  const taken = new Set<string>();
  return names.map((name, index) => {
    const base = clipName(name, limit) || clipName(fallback(index), limit);
    let candidate = base;
    for (let number = 2; taken.has(candidate.toLowerCase()); number++) {
      const suffix = `…${number}`;
      candidate = `${cut(base.replace(/…$/, ''), limit - suffix.length).trimEnd()}${suffix}`;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function finite(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The block for `chart`, or undefined when there is nothing to draw (no category or no series):
 * the message then goes without a chart.
 */
export function chartBlock(chart: ChartData, blockId?: string): DataVisualizationBlock | undefined {
  const series = chart.series.slice(0, chartBlockLimits.series);
  if (series.length === 0 || chart.categories.length === 0) return undefined;
  const totals = chart.categories.map((_category, index) => series.reduce((sum, entry) => sum + Math.abs(finite(entry.values[index])), 0));
  const kept = chart.categories
    .map((_category, index) => index)
    .sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0) || a - b)
    .slice(0, chartBlockLimits.categories)
    .sort((a, b) => a - b);
  const categories = distinctNames(
    kept.map((index) => chart.categories[index] ?? ''),
    chartBlockLimits.name,
    (position) => `#${(kept[position] ?? position) + 1}`,
  );
  const names = distinctNames(
    series.map((entry) => entry.name),
    chartBlockLimits.name,
    (index) => `#${index + 1}`,
  );
  const xLabel = chart.axisLabels?.category ? clipName(chart.axisLabels.category, chartBlockLimits.axisLabel) : '';
  const yLabel = chart.axisLabels?.value ? clipName(chart.axisLabels.value, chartBlockLimits.axisLabel) : '';
  return {
    type: 'data_visualization',
    ...(blockId ? { block_id: blockId.slice(0, chartBlockLimits.blockId) } : {}),
    title: clipName(chart.title, chartBlockLimits.title) || '…',
    chart: {
      type: 'bar',
      series: series.map((entry, seriesIndex) => ({
        name: names[seriesIndex] ?? `#${seriesIndex + 1}`,
        data: kept.map((categoryIndex, position) => ({ label: categories[position] ?? '', value: finite(entry.values[categoryIndex]) })),
      })),
      axis_config: { categories, ...(xLabel ? { x_label: xLabel } : {}), ...(yLabel ? { y_label: yLabel } : {}) },
    },
  };
}
