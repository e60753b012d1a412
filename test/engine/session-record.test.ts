/**
 * The session record of a scripted session, end to end on real Redis/BullMQ with the real openai
 * SDK against the fake model: a session with an image, a vote (a person's ballot and the panel's)
 * and a disagreement planted in the closing summary ends with
 * - the decision record posted in the thread: the split with the panelists who held each side,
 *   people's votes against the panel's per keyword, next steps with their owner, token use;
 * - three files: Markdown, the JSON record — valid against its zod schema and against the
 *   published JSON Schema (docs/session-record.schema.json, with Ajv) — and the HTML page;
 * - the HTML page opened in headless Chromium at 375 px: the dissenting panelists, the chart and
 *   the shared image shown, no console errors, no network requests, no horizontal scrolling.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter, type RecordedPost } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { openInChromium } from '../browser/open-in-chromium.ts';
import { photoLikeJpeg } from '../../src/images/test-images.ts';
import { sessionRecordJsonSchema, sessionRecordSchema, type SessionRecord } from '../../src/record/session-record.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

const folder = mkdtempSync(join(tmpdir(), 'tr-record-'));
const person = { id: 'u-ana', displayName: 'Ana' };
let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();

const isVision = (request: RecordedRequest) => JSON.stringify(chatBody(request).messages).includes('image_url');

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: (request) => (isVision(request) ? { kind: 'text', text: 'A felt lamp glowing red on a wooden table.' } : roundtableReply(request)) });
  app = await startTestApp({
    modelUrl: fake.url,
    adapters: [adapter],
    env: { AUTO_ROUNDS: 1, PANELS_DIR: './prompts/panels', MODEL_PRICES: 'gpt-4o-mini=0.15/0.6,gpt-4o=2.5/10' },
  });
  writeFileSync(join(folder, 'lamp.jpg'), await photoLikeJpeg(1200, 900));
}, 60_000);

afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

const fileOf = (post: RecordedPost, extension: string) => post.files.find((file) => file.filename.endsWith(extension));

describe('the session record', () => {
  let record: SessionRecord;
  let ending: RecordedPost;
  let sessionId: string;

  it('is posted as a decision record and attached as Markdown, JSON and HTML at /end', async () => {
    ({ sessionId } = await app.roundtable.start({
      address: { platform: 'terminal', channel: 'c', thread: 'record' },
      person,
      topic: 'A felt lamp for a small room',
      images: [{ kind: 'path', location: join(folder, 'lamp.jpg'), filename: 'lamp.jpg' }],
    }));
    const idle = (what: string) => waitFor(async () => !(await app.roundtable.isBusy(sessionId)), what, 90_000);
    await idle('introductions, the image, a round');
    await app.roundtable.submit(sessionId, person, { type: 'command', name: 'vote', options: { action: 'open' } });
    await idle('the vote with the panel ballots');
    const poll = (await app.store.poll(sessionId))!;
    await app.roundtable.submit(sessionId, person, { type: 'ballot', choices: [0, 3], pollId: poll.pollId });
    await app.roundtable.submit(sessionId, person, { type: 'command', name: 'end', options: {} });
    await idle('the end');

    const posts = adapter.postsOf(sessionId);
    const summary = posts.find((post) => post.text.startsWith('**Closing summary**'))!;
    // The split with who held each side; people against the panel per keyword; owners; tokens.
    expect(summary.text).toContain('**Where the panel split**');
    expect(summary.text).toContain('  - Felt keeps the warmth — Bayar (巴雅尔): “felt is home”');
    expect(summary.text).toContain('  - Wool is easier to wash — Lin Siyu (林思雨)');
    expect(summary.text).toMatch(new RegExp(`- ${poll.candidates[0]}: people 1, panel \\d+`));
    expect(summary.text).toContain('- Sew a first shade (Bayar (巴雅尔))');
    expect(summary.text).toMatch(/\*\*Tokens:\*\* [\d,]+ in all \(\d+ model calls\), about \$[\d.]+ — /);

    ending = posts.at(-1)!;
    expect(ending.files.map((file) => file.filename.split('.').at(-1))).toEqual(['md', 'json', 'html']);
    record = sessionRecordSchema.parse(JSON.parse(fileOf(ending, '.json')!.bytes.toString('utf8')));
  });

  it('validates against the published JSON Schema, and that file is the schema the code makes', () => {
    const published = JSON.parse(readFileSync('docs/session-record.schema.json', 'utf8')) as Record<string, unknown>;
    expect(published).toEqual(JSON.parse(JSON.stringify(sessionRecordJsonSchema())));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(published);
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...record, version: 2 })).toBe(false);
  });

  it('names the dissent, the people-against-panel tally from the ballots, the image and the usage per panelist', () => {
    const split = record.decision!.splits[0]!;
    expect(split.positions.map((position) => position.panelists)).toEqual([['Bayar (巴雅尔)'], ['Lin Siyu (林思雨)']]);
    const poll = record.polls[0]!;
    expect(poll.ballots.filter((ballot) => ballot.voterKind === 'person')).toEqual([{ voterKind: 'person', voterName: 'Ana', choices: [poll.candidates[0], poll.candidates[3]] }]);
    const first = record.decision!.votes.find((row) => row.keyword === poll.candidates[0])!;
    expect(first.people).toBe(1);
    expect(first.panel).toBe(poll.ballots.filter((ballot) => ballot.voterKind === 'persona' && ballot.choices.includes(poll.candidates[0]!)).length);
    expect(record.images).toEqual([expect.objectContaining({ kind: 'shared', filename: 'lamp.jpg', description: 'A felt lamp glowing red on a wooden table.', from: 'Ana' })]);
    expect(record.transcript.some((entry) => entry.images?.includes(record.images[0]!.hash))).toBe(true);
    // Every panelist spoke (introduction, story, turn, ballot): each has tokens and a cost.
    for (const panelist of record.usage.panelists) {
      expect(panelist.calls, panelist.name).toBeGreaterThan(0);
      expect(panelist.estimatedCost, panelist.name).toBeGreaterThan(0);
    }
    expect(record.usage.other.calls).toBeGreaterThan(0);
    expect(record.usage.session.calls).toBe(record.usage.panelists.reduce((sum, line) => sum + line.calls, record.usage.other.calls));
    expect(record.usage.currency).toBe('USD');
  });

  it('renders as a page Chromium shows at 375 px with no errors, no requests and nothing wider than the screen', async () => {
    const path = join(folder, 'transcript.html');
    writeFileSync(path, fileOf(ending, '.html')!.bytes);
    const report = await openInChromium(path, {
      screenshotPath: 'test-artifacts/session-record-375.png',
      inspect: async (page) => ({
        text: await page.locator('body').innerText(),
        images: await page
          .locator('img')
          .evaluateAll((elements) => elements.map((element) => element as unknown as { alt: string; complete: boolean; naturalWidth: number }).map((image) => ({ alt: image.alt, shown: image.complete && image.naturalWidth > 0 }))),
        avatars: await page.locator('.entry-persona .avatar').count(),
      }),
    });
    expect(report.consoleErrors).toEqual([]);
    expect(report.pageErrors).toEqual([]);
    expect(report.otherRequests).toEqual([]);
    expect(report.scrollWidth).toBeLessThanOrEqual(375);
    const { text, images, avatars } = report.inspection!;
    for (const name of ['Bayar (巴雅尔)', 'Lin Siyu (林思雨)', 'Ana']) expect(text).toContain(name);
    expect(text).toContain('Wool is easier to wash');
    expect(images.every((image) => image.shown)).toBe(true);
    // The shared image (its thumbnail) and the vote chart as pictures; the personas' posts with avatars.
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(images.some((image) => image.alt.includes('A felt lamp glowing red'))).toBe(true);
    expect(avatars).toBeGreaterThan(5);
  }, 60_000);
});
