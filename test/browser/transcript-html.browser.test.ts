/**
 * The HTML transcript in a real browser: a realistic session rendered, written to a file, opened
 * in headless Chromium at 375 × 800 (a phone). It must load without errors or any request beyond
 * the file, not scroll sideways despite a long unbroken URL, and show the speakers, the vote chart
 * and a shared image (decoded: `naturalWidth > 0`). The screenshot is kept for people to look at:
 * test-artifacts/transcript-375.png (and the document next to it).
 *
 * Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium; .ci/run installs it): without it this fails.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTranscriptHtml } from '../../src/record/transcript-html.ts';
import { openInChromium } from './open-in-chromium.ts';
import { LONG_URL, PANELISTS, realisticSessionRecord } from './realistic-session-record.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SCREENSHOT = join(ARTIFACTS, 'transcript-375.png');
const PHONE = { width: 375, height: 800 };

interface ImageState {
  visible: boolean;
  naturalWidth: number;
  alt: string;
}

const workDirectory = mkdtempSync(join(tmpdir(), 'tableround-transcript-html-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

describe('the HTML transcript in Chromium at 375 px', () => {
  it('loads with no errors and no requests, does not scroll sideways, and shows speakers, chart, images and avatars', async () => {
    const { record, assets } = await realisticSessionRecord();
    const htmlPath = join(workDirectory, 'transcript.html');
    writeFileSync(htmlPath, renderTranscriptHtml(record, assets), 'utf8');

    const report = await openInChromium(htmlPath, {
      screenshotPath: SCREENSHOT,
      viewport: PHONE,
      inspect: async (page) => {
        const imageState = async (selector: string): Promise<ImageState> => {
          const image = page.locator(selector).first();
          return {
            visible: await image.isVisible(),
            naturalWidth: await image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth),
            alt: (await image.getAttribute('alt')) ?? '',
          };
        };
        const speakers = ['Priya', 'sam_k', ...PANELISTS.map((panelist) => panelist.name)];
        return {
          speakersVisible: Object.fromEntries(await Promise.all(speakers.map(async (name) => [name, await page.locator('.entry .speaker', { hasText: name }).first().isVisible()] as const))),
          chart: await imageState('#polls figure.chart img'),
          sharedImage: await imageState('figure.image-shared img'),
          conceptImage: await imageState('figure.image-concept img'),
          avatarBackground: await page.locator('.entry-persona .avatar').first().evaluate(
            // Runs in the page; typed by hand because the project compiles without the DOM library.
            (element) => (globalThis as unknown as { getComputedStyle: (element: unknown) => { backgroundImage: string } }).getComputedStyle(element).backgroundImage,
          ),
          longUrlVisible: await page.getByText(LONG_URL, { exact: false }).first().isVisible(),
          hostileTextShownAsText: await page.getByText('<script>alert("x")</script>', { exact: false }).first().isVisible(),
          injectedElements: await page.locator('script, img[onerror], img[src="x"]').count(),
          dissentVisible: await page.locator('#decision .split', { hasText: 'Carmen Ruiz' }).first().isVisible(),
        };
      },
    });
    copyFileSync(htmlPath, join(ARTIFACTS, 'transcript-375.html'));

    expect(report.consoleErrors).toEqual([]);
    expect(report.pageErrors).toEqual([]);
    expect(report.otherRequests).toEqual([]);
    expect(report.clientWidth).toBe(PHONE.width);
    expect(report.scrollWidth).toBeLessThanOrEqual(PHONE.width);

    const seen = report.inspection;
    expect(seen).toBeDefined();
    if (!seen) return;
    expect(Object.entries(seen.speakersVisible).filter(([, visible]) => !visible)).toEqual([]);
    expect(seen.chart).toMatchObject({ visible: true });
    expect(seen.chart.naturalWidth).toBeGreaterThan(0);
    expect(seen.chart.alt).toContain('quiet zone 5/2');
    expect(seen.sharedImage).toMatchObject({ visible: true });
    expect(seen.sharedImage.naturalWidth).toBeGreaterThan(0);
    expect(seen.conceptImage.naturalWidth).toBeGreaterThan(0);
    expect(seen.avatarBackground).toMatch(/^url\("data:image\/png;base64,/);
    expect(seen.longUrlVisible).toBe(true);
    expect(seen.hostileTextShownAsText).toBe(true);
    expect(seen.injectedElements).toBe(0);
    expect(seen.dissentVisible).toBe(true);

    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  }, 20_000);
});

