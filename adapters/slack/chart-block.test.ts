import { describe, expect, it } from 'vitest';
import type { ChartData } from '../../src/adapter/chat-adapter.ts';
import { chartBlockErrors } from '../../test/slack-emulator/chart-blocks.ts';
import { chartBlock, chartBlockLimits, clipName, distinctNames } from './chart-block.ts';

const votes = (labels: string[], people: number[], panel: number[]): ChartData => ({
  title: 'Votes per keyword',
  categories: labels,
  series: [
    { name: 'People', values: people },
    { name: 'Panel', values: panel },
  ],
  axisLabels: { category: 'Keyword', value: 'Votes' },
});

describe('the chart block', () => {
  it('is a bar chart with one point per keyword in each series, in the order given', () => {
    const block = chartBlock(votes(['quiet', 'warm', 'soft handle'], [4, 1, 0], [2, 3, 1]), 'chart');
    expect(block).toEqual({
      type: 'data_visualization',
      block_id: 'chart',
      title: 'Votes per keyword',
      chart: {
        type: 'bar',
        series: [
          { name: 'People', data: [{ label: 'quiet', value: 4 }, { label: 'warm', value: 1 }, { label: 'soft handle', value: 0 }] },
          { name: 'Panel', data: [{ label: 'quiet', value: 2 }, { label: 'warm', value: 3 }, { label: 'soft handle', value: 1 }] },
        ],
        axis_config: { categories: ['quiet', 'warm', 'soft handle'], x_label: 'Keyword', y_label: 'Votes' },
      },
    });
    expect(chartBlockErrors([block], true)).toEqual([]);
  });

  it('cuts long names with an ellipsis and keeps them distinct', () => {
    const long = 'a very long keyword about handles';
    const block = chartBlock(votes([`${long} one`, `${long} two`, `${long} three`, 'short'], [1, 2, 3, 4], [0, 0, 0, 0]));
    const categories = block?.chart.axis_config.categories ?? [];
    expect(categories).toEqual(['a very long keyword…', 'a very long keywor…2', 'a very long keywor…3', 'short']);
    for (const category of categories) expect(category.length).toBeLessThanOrEqual(chartBlockLimits.name);
    expect(new Set(categories).size).toBe(categories.length);
    expect(chartBlockErrors([block], true)).toEqual([]);
  });

  it('counts characters so that Slack never counts more (emoji, CJK), cutting between code points', () => {
    expect(clipName('灯罩'.repeat(15), 20)).toBe(`${'灯罩'.repeat(9)}灯…`);
    const emoji = clipName('🪔'.repeat(15), 20);
    expect(emoji.length).toBeLessThanOrEqual(20);
    expect(emoji).toBe(`${'🪔'.repeat(9)}…`);
    expect(distinctNames(['', 'x', 'X'], 20, (index) => `#${index + 1}`)).toEqual(['#1', 'x', 'X…2']);
  });

  it('keeps the 20 keywords with the most votes, in their order, and drops the rest', () => {
    const labels = Array.from({ length: 25 }, (_, index) => `k${index}`);
    const people = labels.map((_, index) => (index % 5 === 0 ? 0 : index));
    const block = chartBlock(votes(labels, people, labels.map(() => 0)));
    const categories = block?.chart.axis_config.categories ?? [];
    expect(categories).toHaveLength(chartBlockLimits.categories);
    expect(categories).not.toContain('k5');
    expect(categories).toEqual(labels.filter((_, index) => index % 5 !== 0));
    for (const series of block?.chart.series ?? []) expect(series.data.map((point) => point.label)).toEqual(categories);
    expect(chartBlockErrors([block], true)).toEqual([]);
  });

  it('fits the title, the axis titles and at most six series; nothing to draw gives no block', () => {
    const many: ChartData = { title: 'T'.repeat(80), categories: ['a'], series: Array.from({ length: 9 }, (_, index) => ({ name: `Series ${index}`, values: [index] })), axisLabels: { value: 'V'.repeat(70) } };
    const block = chartBlock(many);
    expect(block?.title).toHaveLength(50);
    expect(block?.chart.series).toHaveLength(6);
    expect(block?.chart.axis_config.y_label).toHaveLength(50);
    expect(chartBlockErrors([block], true)).toEqual([]);
    expect(chartBlock({ title: 'x', categories: [], series: [{ name: 'a', values: [] }] })).toBeUndefined();
    expect(chartBlock({ title: 'x', categories: ['a'], series: [] })).toBeUndefined();
    // Missing or broken values count as 0.
    expect(chartBlock({ title: 'x', categories: ['a', 'b'], series: [{ name: 's', values: [Number.NaN] }] })?.chart.series[0]?.data).toEqual([{ label: 'a', value: 0 }, { label: 'b', value: 0 }]);
  });
});

describe("the emulator's chart rules", () => {
  const good = chartBlock(votes(['a', 'b'], [1, 2], [3, 4]), 'c');

  it('refuse what Slack refuses', () => {
    const bad = structuredClone(good) as unknown as { chart: { series: { data: unknown[] }[] }; title: string };
    bad.chart.series[0]?.data.pop();
    bad.title = 'x'.repeat(51);
    expect(chartBlockErrors([{ type: 'section' }, bad], true)).toEqual([
      '[ERROR] must be a string of 1 to 50 characters [json-pointer:/blocks/1/title]',
      '[ERROR] must hold exactly one point per category [json-pointer:/blocks/1/chart/series/0/data]',
    ]);
    expect(chartBlockErrors([good, good, good], true)).toContain('[ERROR] no more than 2 data_visualization blocks allowed [json-pointer:/blocks/2]');
    expect(chartBlockErrors([{ ...good, alt_text: 'x' }], true)).toEqual(['[ERROR] unknown field [json-pointer:/blocks/0/alt_text]']);
    expect(chartBlockErrors([good], false)).toEqual(['[ERROR] unsupported block type: data_visualization [json-pointer:/blocks/0/type]']);
  });
});
