/**
 * Slack's rules for the `data_visualization` block (the chart block), checked like Slack checks
 * them: a message whose chart breaks one is refused `invalid_blocks` with JSON pointers to the
 * failing fields. Rules from docs.slack.dev/reference/block-kit/blocks/data-visualization-block
 * (research-14 §1): `type`, `title` (≤ 50) and `chart` required, `block_id` ≤ 255 and nothing
 * else; a bar, line or area chart has 1–6 `series` (unique `name` ≤ 20; `data` 1–20 points of
 * `label` ≤ 20 and a number `value`) and `axis_config` (`categories`: 1–20 unique labels ≤ 20;
 * `x_label`, `y_label` ≤ 50), and every series has exactly one point per category; a pie chart
 * has 1–6 `segments` (`label` ≤ 20, `value` > 0). At most 2 chart blocks per message (enforced by
 * Slack though undocumented). A workspace without the feature (`chartsEnabled` false, as during a
 * phased rollout) refuses any chart block. The wording of the errors is the emulator's own.
 */

export const chartRules = { title: 50, axisLabel: 50, name: 20, points: 20, series: 6, segments: 6, perMessage: 2, blockId: 255 } as const;

const blockKeys = new Set(['type', 'block_id', 'title', 'chart']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isName = (value: unknown, max: number): value is string => typeof value === 'string' && value.trim().length > 0 && value.length <= max;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Every rule the message's chart blocks break, as Slack's `[ERROR] … [json-pointer:…]` lines; empty when none. */
export function chartBlockErrors(blocks: readonly unknown[], chartsEnabled: boolean): string[] {
  const errors: string[] = [];
  const fail = (pointer: string, problem: string) => errors.push(`[ERROR] ${problem} [json-pointer:${pointer}]`);
  let charts = 0;
  blocks.forEach((block, index) => {
    if (!isObject(block) || block.type !== 'data_visualization') return;
    const at = `/blocks/${index}`;
    if (!chartsEnabled) return fail(`${at}/type`, 'unsupported block type: data_visualization');
    charts += 1;
    if (charts > chartRules.perMessage) fail(at, `no more than ${chartRules.perMessage} data_visualization blocks allowed`);
    for (const key of Object.keys(block)) if (!blockKeys.has(key)) fail(`${at}/${key}`, 'unknown field');
    if (block.block_id !== undefined && !isName(block.block_id, chartRules.blockId)) fail(`${at}/block_id`, `must be a string of 1 to ${chartRules.blockId} characters`);
    if (!isName(block.title, chartRules.title)) fail(`${at}/title`, `must be a string of 1 to ${chartRules.title} characters`);
    if (!isObject(block.chart)) return fail(`${at}/chart`, 'missing required field: chart');
    checkChart(block.chart, `${at}/chart`, fail);
  });
  return errors;
}

function checkChart(chart: Json, at: string, fail: (pointer: string, problem: string) => void): void {
  if (chart.type === 'pie') {
    const segments = chart.segments;
    if (!Array.isArray(segments) || segments.length < 1 || segments.length > chartRules.segments) return fail(`${at}/segments`, `must hold 1 to ${chartRules.segments} items`);
    segments.forEach((segment: unknown, index) => {
      if (!isObject(segment) || !isName(segment.label, chartRules.name)) fail(`${at}/segments/${index}/label`, `must be a string of 1 to ${chartRules.name} characters`);
      if (!isObject(segment) || !isNumber(segment.value) || segment.value <= 0) fail(`${at}/segments/${index}/value`, 'must be a number greater than 0');
    });
    return;
  }
  if (chart.type !== 'bar' && chart.type !== 'line' && chart.type !== 'area') return fail(`${at}/type`, 'must be one of bar, line, area, pie');
  const axis = chart.axis_config;
  if (!isObject(axis)) return fail(`${at}/axis_config`, 'missing required field: axis_config');
  const categories = axis.categories;
  if (!Array.isArray(categories) || categories.length < 1 || categories.length > chartRules.points) return fail(`${at}/axis_config/categories`, `must hold 1 to ${chartRules.points} items`);
  categories.forEach((category: unknown, index) => {
    if (!isName(category, chartRules.name)) fail(`${at}/axis_config/categories/${index}`, `must be a string of 1 to ${chartRules.name} characters`);
  });
  if (new Set(categories).size !== categories.length) fail(`${at}/axis_config/categories`, 'must be unique');
  for (const label of ['x_label', 'y_label'] as const) {
    if (axis[label] !== undefined && !isName(axis[label], chartRules.axisLabel)) fail(`${at}/axis_config/${label}`, `must be a string of 1 to ${chartRules.axisLabel} characters`);
  }
  const series = chart.series;
  if (!Array.isArray(series) || series.length < 1 || series.length > chartRules.series) return fail(`${at}/series`, `must hold 1 to ${chartRules.series} items`);
  const names = new Set<unknown>();
  series.forEach((entry: unknown, seriesIndex) => {
    const where = `${at}/series/${seriesIndex}`;
    if (!isObject(entry)) return fail(where, 'must be an object');
    if (!isName(entry.name, chartRules.name)) fail(`${where}/name`, `must be a string of 1 to ${chartRules.name} characters`);
    if (names.has(entry.name)) fail(`${where}/name`, 'must be unique within the chart');
    names.add(entry.name);
    const data = entry.data;
    if (!Array.isArray(data) || data.length < 1 || data.length > chartRules.points) return fail(`${where}/data`, `must hold 1 to ${chartRules.points} items`);
    const labels = new Set<unknown>();
    data.forEach((point: unknown, pointIndex) => {
      if (!isObject(point) || !isName(point.label, chartRules.name)) fail(`${where}/data/${pointIndex}/label`, `must be a string of 1 to ${chartRules.name} characters`);
      else if (!categories.includes(point.label)) fail(`${where}/data/${pointIndex}/label`, 'must be one of axis_config.categories');
      if (!isObject(point) || !isNumber(point.value)) fail(`${where}/data/${pointIndex}/value`, 'must be a number');
      if (isObject(point) && labels.has(point.label)) fail(`${where}/data/${pointIndex}/label`, 'must be unique within the series');
      if (isObject(point)) labels.add(point.label);
    });
    if (data.length !== categories.length) fail(`${where}/data`, 'must hold exactly one point per category');
  });
}
