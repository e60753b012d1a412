/**
 * Draws a poll's result as a PNG: one horizontal bar per option, persona votes and people votes
 * stacked in two colours, an optional threshold line, and a legend. Shapes are SVG; every piece
 * of text is rendered by `renderText` with the shipped CJK-capable font, so labels in Chinese
 * draw as glyphs on a machine with no fonts installed.
 */
import { loadSharp } from './load-sharp.ts';
import type { OverlayOptions } from 'sharp';
import { renderText, truncateText } from './text-render.ts';
import type { RenderedText } from './text-render.ts';

export interface VoteChartBar {
  label: string;
  personaVotes: number;
  peopleVotes: number;
}

export interface VoteChartLegend {
  personaVotes: string;
  peopleVotes: string;
  /** `{n}` is replaced by the threshold. */
  threshold: string;
}

export interface VoteChartInput {
  title: string;
  bars: readonly VoteChartBar[];
  /** Votes needed to pass; drawn as a dashed line when given. */
  threshold?: number;
  /** Legend wording, for other languages. */
  legend?: Partial<VoteChartLegend>;
}

export const DEFAULT_VOTE_CHART_LEGEND: Readonly<VoteChartLegend> = { personaVotes: 'Persona votes', peopleVotes: 'People votes', threshold: 'Needed: {n}' };

export const VOTE_CHART_COLOURS = {
  background: '#ffffff',
  text: '#111827',
  secondaryText: '#4b5563',
  personaVotes: '#6366f1',
  peopleVotes: '#f59e0b',
  threshold: '#dc2626',
  track: '#f3f4f6',
} as const;

const WIDTH_PX = 800;
const PADDING_PX = 24;
const TITLE_SIZE_PX = 22;
const LABEL_SIZE_PX = 15;
const VALUE_SIZE_PX = 13;
const LEGEND_SIZE_PX = 13;
const LABEL_COLUMN_PX = 240;
const LABEL_MAX_CHARACTERS = 48;
const TITLE_MAX_CHARACTERS = 120;
const VALUE_COLUMN_PX = 56;
const COLUMN_GAP_PX = 12;
const BAR_THICKNESS_PX = 22;
const ROW_GAP_PX = 12;
const SECTION_GAP_PX = 18;
const SWATCH_PX = 14;

function votes(count: number): number {
  return Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
}

interface PlacedText {
  text: RenderedText;
  left: number;
  top: number;
}

function place(text: RenderedText | undefined, left: number, top: number, placed: PlacedText[]): void {
  if (text) placed.push({ text, left: Math.round(left), top: Math.round(top) });
}

/** Renders the chart; returns PNG bytes (800 px wide, as tall as the bars need). */
export async function renderVoteChart(input: VoteChartInput): Promise<Buffer> {
  const sharp = await loadSharp();
  const legend = { ...DEFAULT_VOTE_CHART_LEGEND, ...input.legend };
  const bars = input.bars.map((bar) => ({ label: bar.label, persona: votes(bar.personaVotes), people: votes(bar.peopleVotes) }));
  const threshold = input.threshold === undefined ? undefined : votes(input.threshold);
  const maxValue = Math.max(1, threshold ?? 0, ...bars.map((bar) => bar.persona + bar.people));

  const contentWidth = WIDTH_PX - 2 * PADDING_PX;
  const plotLeft = PADDING_PX + LABEL_COLUMN_PX + COLUMN_GAP_PX;
  const plotWidth = WIDTH_PX - PADDING_PX - VALUE_COLUMN_PX - plotLeft;
  const scale = plotWidth / maxValue;

  const [title, labels, values, legendTexts] = await Promise.all([
    renderText(truncateText(input.title, TITLE_MAX_CHARACTERS), { sizePx: TITLE_SIZE_PX, colour: VOTE_CHART_COLOURS.text, maxWidthPx: contentWidth }),
    Promise.all(bars.map((bar) => renderText(truncateText(bar.label, LABEL_MAX_CHARACTERS), { sizePx: LABEL_SIZE_PX, colour: VOTE_CHART_COLOURS.text, maxWidthPx: LABEL_COLUMN_PX, align: 'right' }))),
    Promise.all(bars.map((bar) => renderText(String(bar.persona + bar.people), { sizePx: VALUE_SIZE_PX, colour: VOTE_CHART_COLOURS.secondaryText }))),
    Promise.all(
      [legend.personaVotes, legend.peopleVotes, ...(threshold === undefined ? [] : [legend.threshold.replace('{n}', String(threshold))])].map((text) =>
        renderText(text, { sizePx: LEGEND_SIZE_PX, colour: VOTE_CHART_COLOURS.secondaryText }),
      ),
    ),
  ]);

  const placed: PlacedText[] = [];
  const shapes: string[] = [];
  let y = PADDING_PX;
  place(title, PADDING_PX, y, placed);
  y += (title?.height ?? 0) + SECTION_GAP_PX;

  const plotTop = y;
  bars.forEach((bar, index) => {
    const label = labels[index];
    const rowHeight = Math.max(BAR_THICKNESS_PX, label?.height ?? 0);
    const barTop = y + (rowHeight - BAR_THICKNESS_PX) / 2;
    if (label) place(label, plotLeft - COLUMN_GAP_PX - label.width, y + (rowHeight - label.height) / 2, placed);
    shapes.push(`<rect x="${plotLeft}" y="${barTop}" width="${plotWidth}" height="${BAR_THICKNESS_PX}" fill="${VOTE_CHART_COLOURS.track}"/>`);
    const personaWidth = bar.persona * scale;
    const peopleWidth = bar.people * scale;
    if (personaWidth > 0) shapes.push(`<rect x="${plotLeft}" y="${barTop}" width="${personaWidth}" height="${BAR_THICKNESS_PX}" fill="${VOTE_CHART_COLOURS.personaVotes}"/>`);
    if (peopleWidth > 0) shapes.push(`<rect x="${plotLeft + personaWidth}" y="${barTop}" width="${peopleWidth}" height="${BAR_THICKNESS_PX}" fill="${VOTE_CHART_COLOURS.peopleVotes}"/>`);
    const value = values[index];
    if (value) place(value, plotLeft + personaWidth + peopleWidth + 8, barTop + (BAR_THICKNESS_PX - value.height) / 2, placed);
    y += rowHeight + ROW_GAP_PX;
  });
  const plotBottom = Math.max(plotTop, y - ROW_GAP_PX);
  if (threshold !== undefined) {
    const x = plotLeft + threshold * scale;
    shapes.push(`<line x1="${x}" y1="${plotTop - 6}" x2="${x}" y2="${plotBottom + 6}" stroke="${VOTE_CHART_COLOURS.threshold}" stroke-width="2" stroke-dasharray="6 4"/>`);
  }

  // Legend: swatch, label, swatch, label[, dashed line, label].
  y = plotBottom + SECTION_GAP_PX;
  let x = PADDING_PX;
  const legendHeight = Math.max(SWATCH_PX, ...legendTexts.map((text) => text?.height ?? 0));
  const swatchTop = y + (legendHeight - SWATCH_PX) / 2;
  legendTexts.forEach((text, index) => {
    if (index === 2) {
      const middle = swatchTop + SWATCH_PX / 2;
      shapes.push(`<line x1="${x}" y1="${middle}" x2="${x + SWATCH_PX}" y2="${middle}" stroke="${VOTE_CHART_COLOURS.threshold}" stroke-width="2" stroke-dasharray="4 2"/>`);
    } else {
      const colour = index === 0 ? VOTE_CHART_COLOURS.personaVotes : VOTE_CHART_COLOURS.peopleVotes;
      shapes.push(`<rect x="${x}" y="${swatchTop}" width="${SWATCH_PX}" height="${SWATCH_PX}" fill="${colour}"/>`);
    }
    x += SWATCH_PX + 6;
    place(text, x, y + (legendHeight - (text?.height ?? 0)) / 2, placed);
    x += (text?.width ?? 0) + 20;
  });
  const height = Math.ceil(y + legendHeight + PADDING_PX);

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${height}"><rect width="100%" height="100%" fill="${VOTE_CHART_COLOURS.background}"/>${shapes.join('')}</svg>`;
  // Text never overflows the canvas: labels wrap within their column, the title within the content width.
  const overlays: OverlayOptions[] = placed
    .filter((item) => item.left >= 0 && item.top >= 0 && item.left + item.text.width <= WIDTH_PX && item.top + item.text.height <= height)
    .map((item) => ({ input: item.text.png, left: item.left, top: item.top }));
  return sharp(Buffer.from(svg)).composite(overlays).png({ compressionLevel: 9 }).toBuffer();
}
