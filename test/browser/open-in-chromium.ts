/**
 * Opens a local HTML file in headless Chromium (playwright-core driving Debian's `chromium`) at a
 * phone-sized viewport and reports what a reviewer would look for: console errors, uncaught page
 * errors, every request other than the file itself, the page's scroll width, and a full-page
 * PNG screenshot. `inspect` runs on the loaded page for checks of the caller's own.
 *
 * Hazards: the browser is found at `CHROMIUM_PATH` or /usr/bin/chromium; when it is missing this
 * throws (CI installs it in .ci/run) — a browser test must fail, never skip, without a browser.
 * Requests other than the file are recorded and then aborted, so a broken document cannot reach
 * the network from a test run. Flags as in research-14 §2: as root Chromium needs --no-sandbox
 * (playwright adds it, we pass it too), and background networking is off so the closed network
 * stays quiet. `/usr/bin/chromium` prints a harmless "unexpected operator" line on stderr.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export interface OpenOptions<Inspection> {
  /** Where the full-page PNG goes (folders are created). */
  screenshotPath: string;
  /** CSS pixels; default 375 × 800 (a phone). */
  viewport?: { width: number; height: number };
  /** Extra checks on the loaded page, before the screenshot. */
  inspect?: (page: Page) => Promise<Inspection>;
}

export interface PageReport<Inspection> {
  consoleErrors: string[];
  pageErrors: string[];
  /** Every request URL except the opened file's own. */
  otherRequests: string[];
  /** `document.documentElement.scrollWidth` and `clientWidth` after load. */
  scrollWidth: number;
  clientWidth: number;
  inspection: Inspection | undefined;
}

/** The browser binary to drive; throws with the way to install it when it is not there. */
export function chromiumExecutable(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. Install Debian's browser (apt-get install -y --no-install-recommends chromium; .ci/run does this) ` +
        'or point CHROMIUM_PATH at a Chromium binary. The browser tests fail rather than skip without it.',
    );
  }
  return path;
}

export async function openInChromium<Inspection = undefined>(htmlPath: string, options: OpenOptions<Inspection>): Promise<PageReport<Inspection>> {
  const fileUrl = pathToFileURL(resolve(htmlPath)).href;
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_FLAGS });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 375, height: 800 }, deviceScaleFactor: 1 });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const otherRequests: string[] = [];
    const isTheFile = (url: string): boolean => url.split('#')[0] === fileUrl;
    await context.route('**/*', (route) => (isTheFile(route.request().url()) ? route.continue() : route.abort()));
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('request', (request) => {
      if (!isTheFile(request.url())) otherRequests.push(request.url());
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
    // A string, not a function: this project type-checks without the DOM library.
    const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
    );
    const inspection = options.inspect ? await options.inspect(page) : undefined;
    mkdirSync(dirname(resolve(options.screenshotPath)), { recursive: true });
    await page.screenshot({ path: options.screenshotPath, fullPage: true });
    return { consoleErrors, pageErrors, otherRequests, scrollWidth, clientWidth, inspection };
  } finally {
    await browser.close();
  }
}
