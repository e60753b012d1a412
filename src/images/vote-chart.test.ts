import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderText } from './text-render.ts';
import { renderVoteChart, VOTE_CHART_COLOURS } from './vote-chart.ts';
import { countInk } from './test-images.ts';

async function ink(text: string): Promise<{ width: number; height: number; ink: number }> {
  const rendered = await renderText(text, { sizePx: 48, colour: '#000000' });
  if (!rendered) throw new Error('nothing rendered');
  return { width: rendered.width, height: rendered.height, ink: await countInk(rendered.png) };
}

function hexToRgb(hex: string): number[] {
  return [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
}

describe('CJK text rendering (glyphs, not tofu)', () => {
  it('draws Chinese characters with their real shapes', async () => {
    // A missing glyph renders as a hex box ("tofu"): every box looks alike in size and ink.
    // U+E000/U+E001 (private use) are in no font, so they show what tofu looks like here.
    const tofuA = await ink('\uE000');
    const tofuB = await ink('\uE001');
    expect(Math.abs(tofuA.ink - tofuB.ink) / tofuA.ink).toBeLessThan(0.2);
    expect(tofuA.height).toBeGreaterThan(30);

    const one = await ink('一'); // a single horizontal stroke
    const measure = await ink('量'); // a dense character
    expect(one.height).toBeLessThan(12);
    expect(one.ink * 3).toBeLessThan(measure.ink);
    expect(measure.width).not.toBe(tofuA.width);
  });

  it('needs no installed fonts: a child process whose fontconfig sees none still draws Chinese and Latin', () => {
    const directory = mkdtempSync(join(tmpdir(), 'tableround-fonts-'));
    try {
      const config = join(directory, 'fonts.conf');
      writeFileSync(config, `<?xml version="1.0"?><fontconfig><cachedir>${join(directory, 'cache')}</cachedir></fontconfig>`);
      const module = fileURLToPath(new URL('./text-render.ts', import.meta.url));
      const script = `import { renderText } from ${JSON.stringify(module)};
        const sizes = {};
        for (const text of ['一', '量', 'A']) { const r = await renderText(text, { sizePx: 48, colour: '#000000' }); sizes[text] = [r.width, r.height]; }
        process.stdout.write(JSON.stringify(sizes));`;
      const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, FONTCONFIG_FILE: config },
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const sizes = JSON.parse(output) as Record<string, [number, number]>;
      expect(sizes['一']?.[1]).toBeLessThan(12);
      expect(sizes['量']?.[1]).toBeGreaterThan(30);
      expect(sizes['A']?.[1]).toBeGreaterThan(25);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('returns nothing for blank text and escapes markup', async () => {
    expect(await renderText('  \n', { sizePx: 12, colour: '#000000' })).toBeUndefined();
    const escaped = await renderText('<b>&</b>', { sizePx: 20, colour: '#000000' });
    expect(escaped?.width).toBeGreaterThan(40);
  });
});

describe('renderVoteChart', () => {
  const bars = [
    { label: '竹编灯具', personaVotes: 3, peopleVotes: 2 },
    { label: 'Modular teapot', personaVotes: 1, peopleVotes: 4 },
    { label: '茶具', personaVotes: 0, peopleVotes: 0 },
  ];

  it('renders an 800 px wide PNG with both bar colours', async () => {
    const png = await renderVoteChart({ title: '哪个方案最好？', bars, threshold: 4 });
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(800);
    const colours = new Set<string>();
    for (let at = 0; at < data.length; at += 3) colours.add(`${data[at]},${data[at + 1]},${data[at + 2]}`);
    expect(colours.has(hexToRgb(VOTE_CHART_COLOURS.personaVotes).join(','))).toBe(true);
    expect(colours.has(hexToRgb(VOTE_CHART_COLOURS.peopleVotes).join(','))).toBe(true);
    expect(colours.has(hexToRgb(VOTE_CHART_COLOURS.threshold).join(','))).toBe(true);
  });

  it('grows with the number of bars', async () => {
    const small = await sharp(await renderVoteChart({ title: 'T', bars: bars.slice(0, 1) })).metadata();
    const large = await sharp(await renderVoteChart({ title: 'T', bars })).metadata();
    expect(large.height).toBeGreaterThan(small.height);
    const empty = await sharp(await renderVoteChart({ title: 'No votes yet', bars: [] })).metadata();
    expect(empty.width).toBe(800);
  });

  it('draws Chinese labels as glyphs: a dense label has far more ink than a sparse one', async () => {
    const labelColumn = { left: 24, top: 40, width: 240, height: 40 };
    const chart = async (label: string): Promise<number> => countInk(await renderVoteChart({ title: ' ', bars: [{ label, personaVotes: 1, peopleVotes: 1 }] }), labelColumn);
    const sparse = await chart('一二三');
    const dense = await chart('鬱量豐');
    const blank = await chart(' ');
    expect(blank).toBe(0);
    expect(sparse).toBeGreaterThan(20);
    expect(dense).toBeGreaterThan(sparse * 2);
  });

  it('treats negative or fractional votes sanely', async () => {
    const png = await renderVoteChart({ title: 'x', bars: [{ label: 'a', personaVotes: -3, peopleVotes: 2.7 }] });
    expect((await sharp(png).metadata()).format).toBe('png');
  });
});
