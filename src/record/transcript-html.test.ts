import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessionRecordSchema, type SessionRecord } from './session-record.ts';
import { renderTranscriptHtml, TRANSCRIPT_CSP, type TranscriptAssets } from './transcript-html.ts';

const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> style="background:url(https://evil.example/x.png)"';

async function pixel(colour: string, format: 'png' | 'jpeg'): Promise<Buffer> {
  const image = sharp({ create: { width: 4, height: 4, channels: 3, background: colour } });
  return (format === 'png' ? image.png() : image.jpeg()).toBuffer();
}

function recordWith(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecordSchema.parse({
    schema: 'tableround.session-record',
    version: 1,
    session: {
      id: 'discord:1:2',
      platform: 'discord',
      topic: `Four-day week? ${HOSTILE}`,
      language: 'en',
      panel: { id: 'work', name: `Work panel ${HOSTILE}` },
      startedBy: 'Priya',
      startedAt: '2026-03-12T14:00:00.000Z',
      endedAt: '2026-03-12T15:05:00.000Z',
      endedBy: 'idle',
    },
    panelists: [
      { id: 'ada', name: 'Ada', role: 'Economist', muted: false },
      { id: 'bo', name: 'Bo', role: 'Union rep', muted: false },
      { id: 'cy', name: `Cy ${HOSTILE}`, role: 'Founder', muted: true },
    ],
    transcript: [
      { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: 'Welcome.', at: '2026-03-12T14:00:00.000Z', stage: 'opening', round: 0 },
      { kind: 'persona', speakerId: 'ada', speakerName: 'Ada', text: '**Output** per hour rises.', at: '2026-03-12T14:01:00.000Z', stage: 'discussion', round: 1 },
      { kind: 'person', speakerId: 'U1', speakerName: `Priya ${HOSTILE}`, text: `Look at this: ${HOSTILE} javascript:alert(2)`, at: '2026-03-12T14:02:00.000Z', stage: 'discussion', round: 1, images: ['img-shown', 'img-missing'] },
      { kind: 'persona', speakerId: 'ada', speakerName: 'Ada', text: 'Again.', at: '2026-03-12T14:03:00.000Z', stage: 'discussion', round: 1 },
      { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: 'A concept.', at: '2026-03-12T14:04:00.000Z', stage: 'imagine', round: 2, images: ['img-concept'] },
    ],
    images: [
      { hash: 'img-shown', kind: 'shared', filename: 'office.jpg', description: `An open-plan office ${HOSTILE}`, from: 'Priya', at: '2026-03-12T14:02:00.000Z', width: 4, height: 4 },
      { hash: 'img-missing', kind: 'shared', filename: 'chart.png', description: 'A hand-drawn chart of hours against output', from: 'Priya', at: '2026-03-12T14:02:00.000Z', width: 4, height: 4 },
      { hash: 'img-concept', kind: 'concept', filename: 'concept.png', description: 'A calendar with Fridays crossed out', from: 'moderator', at: '2026-03-12T14:04:00.000Z', width: 4, height: 4 },
    ],
    polls: [
      {
        pollId: 'poll-1',
        status: 'closed',
        openedAt: '2026-03-12T14:30:00.000Z',
        closedAt: '2026-03-12T14:40:00.000Z',
        candidates: ['pilot', 'wait'],
        winners: ['pilot'],
        ballots: [{ voterKind: 'person', voterName: 'Priya', choices: ['pilot'], reason: HOSTILE }],
        tally: [
          { keyword: 'pilot', people: 7, panel: 1, passed: true },
          { keyword: 'wait', people: 2, panel: 2, passed: false },
        ],
      },
    ],
    decision: {
      agreed: ['Measure output, not hours.'],
      splits: [
        {
          question: 'Pilot now or wait a year?',
          positions: [
            { position: 'Pilot in one team now', panelists: ['Ada'], inTheirWords: 'Output per hour rises.' },
            { position: 'Wait until the contracts are renegotiated', panelists: ['Bo', 'Cy'], inTheirWords: 'Not before the contracts change.' },
          ],
        },
      ],
      votes: [
        { keyword: 'pilot', people: 7, panel: 1, passed: true },
        { keyword: 'wait', people: 2, panel: 2, passed: false },
      ],
      openQuestions: ['What about shift workers?'],
      nextSteps: [{ step: 'Draft the pilot plan', owner: 'Bo' }, { step: 'Ask HR' }],
      takeaways: [{ name: 'Ada', takeaway: 'Measure first.' }],
    },
    designCard: { name: 'Pilot kit', form: 'A checklist', elements: ['metrics'], functions: ['compare'], targetUsers: 'Team leads', meaning: `Trust ${HOSTILE}` },
    usage: {
      currency: 'USD',
      session: { promptTokens: 12_345, completionTokens: 678, calls: 9, estimatedCost: 0.42, imagesGenerated: 1 },
      panelists: [{ id: 'ada', name: 'Ada', promptTokens: 5_000, completionTokens: 300, calls: 4, estimatedCost: 0.2 }],
      other: { promptTokens: 7_345, completionTokens: 378, calls: 5 },
    },
    ...overrides,
  });
}

let assets: TranscriptAssets;
beforeAll(async () => {
  assets = {
    avatars: { ada: { contentType: 'image/png', bytes: await pixel('#ff0000', 'png') }, bo: { contentType: 'image/png', bytes: await pixel('#00ff00', 'png') } },
    images: { 'img-shown': { contentType: 'image/jpeg', bytes: await pixel('#0000ff', 'jpeg') }, 'img-concept': { contentType: 'image/png', bytes: await pixel('#ffff00', 'png') } },
    voteCharts: { 'poll-1': { contentType: 'image/png', bytes: await pixel('#00ffff', 'png') } },
  };
});

/** The part of the document from `<section id="…">` to the next section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start, `section #${id}`).toBeGreaterThanOrEqual(0);
  const end = html.indexOf('<section id=', start + 1);
  return html.slice(start, end === -1 ? undefined : end);
}

/** Visible text: tags dropped, entities of the five escaped characters decoded, whitespace collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const tags = (html: string): string[] => html.match(/<[^>]+>/g) ?? [];

interface Element {
  name: string;
  attributes: Array<[name: string, value: string]>;
}

/** Start tags as a browser tokenises them: a value breaks out of its quotes if escaping failed, and its remains become attributes. */
function elements(html: string): Element[] {
  return (html.match(/<[a-zA-Z][^>]*>/g) ?? []).map((tag) => {
    const name = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(tag)?.[1] ?? '';
    const rest = tag.slice(name.length + 1, -1);
    const attributes = [...rest.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)].map(
      (match): [string, string] => [(match[1] ?? '').toLowerCase(), match[2] ?? match[3] ?? match[4] ?? ''],
    );
    return { name: name.toLowerCase(), attributes };
  });
}

describe('renderTranscriptHtml', () => {
  it('escapes hostile text from people and models everywhere: no script, no event handler, no javascript: URL, shown as text', () => {
    const html = renderTranscriptHtml(recordWith(), assets);
    const parsed = elements(html);
    expect(html).not.toMatch(/<script/i);
    expect(parsed.filter((element) => ['script', 'a', 'iframe', 'object', 'embed', 'link', 'base', 'form'].includes(element.name))).toEqual([]);
    expect(parsed.flatMap((element) => element.attributes).filter(([name]) => name.startsWith('on'))).toEqual([]);
    expect(parsed.flatMap((element) => element.attributes).filter(([, value]) => /^\s*javascript:/i.test(value))).toEqual([]);
    // Every <img> is one of ours: a data: URL of a raster image and an alt text, nothing else.
    const images = parsed.filter((element) => element.name === 'img');
    expect(images).toHaveLength(3);
    for (const image of images) {
      expect(image.attributes.map(([name]) => name)).toEqual(['src', 'alt']);
      expect(image.attributes[0]?.[1]).toMatch(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/);
    }
    // … and the hostile text is still there for people to read.
    expect(text(section(html, 'transcript'))).toContain('Look at this: <script>alert(1)</script> "><img src=x onerror=alert(1)>');
    expect(text(html)).toContain('Four-day week? <script>alert(1)</script>');
  });

  it('is self-contained: every asset embedded as a data: URL, nothing fetched over http(s), the CSP meta first in <head>', () => {
    const html = renderTranscriptHtml(recordWith(), assets);
    for (const asset of [...Object.values(assets.avatars), ...Object.values(assets.images), ...Object.values(assets.voteCharts)]) {
      expect(html).toContain(`data:${asset.contentType};base64,${asset.bytes.toString('base64')}`);
    }
    const references = elements(html).flatMap((element) => element.attributes.filter(([name]) => ['src', 'href', 'srcset', 'action', 'poster', 'data'].includes(name)));
    expect(references.length).toBeGreaterThan(0);
    expect(references.filter(([, value]) => !value.startsWith('data:image/'))).toEqual([]);
    const styles = (html.match(/<style>([\s\S]*?)<\/style>/g) ?? []).join('');
    expect(styles).toContain('url("data:image/png;base64,');
    expect(styles.match(/url\(\s*["']?\s*(?!data:)[a-z]+:/gi)).toBeNull();
    expect(styles).not.toMatch(/@import|@font-face/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${TRANSCRIPT_CSP}">`);
    expect(TRANSCRIPT_CSP).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
  });

  it('shows every side of a split in the decision record: each position with the panelists who held it and their words', () => {
    const decision = text(section(renderTranscriptHtml(recordWith(), assets), 'decision'));
    expect(decision).toContain('Where the panel split');
    expect(decision).toContain('Pilot now or wait a year?');
    expect(decision).toContain('Pilot in one team now Held by Ada Output per hour rises.');
    expect(decision).toContain('Wait until the contracts are renegotiated Held by Bo and Cy Not before the contracts change.');
    expect(decision).toContain('Measure output, not hours.');
    expect(decision).toContain('Draft the pilot plan (owner: Bo)');
    expect(decision).toContain('What about shift workers?');
  });

  it('states people against panel per keyword: a table in the decision record and the numbers in the chart’s alt text', () => {
    const html = renderTranscriptHtml(recordWith(), assets);
    const decision = text(section(html, 'decision'));
    expect(decision).toContain('Keyword People Panel Result pilot 7 1 passed wait 2 2 not passed');
    const chart = tags(section(html, 'polls')).find((tag) => tag.startsWith('<img'));
    expect(chart).toContain('alt="Bar chart of votes per keyword, people / panel: pilot 7/1, wait 2/2"');
  });

  it('shows the polls’ numbers as a table when there is no decision record, and says the summary was unavailable', () => {
    const html = renderTranscriptHtml(recordWith({ decision: undefined }), assets);
    expect(text(section(html, 'decision'))).toContain('The summary was unavailable for this session');
    expect(text(section(html, 'polls'))).toContain('pilot 7 1 passed wait 2 2 not passed');
  });

  it('shows an image whose asset is missing by its description alone, and shows shared and concept images with captions', () => {
    const transcript = section(renderTranscriptHtml(recordWith(), assets), 'transcript');
    expect(transcript).toContain('<figure class="image image-missing"><p class="image-description">A hand-drawn chart of hours against output</p>');
    expect(tags(transcript).filter((tag) => tag.startsWith('<img') && tag.includes('hand-drawn'))).toEqual([]);
    expect(text(transcript)).toContain('Shared by Priya: office.jpg An open-plan office');
    expect(text(transcript)).toContain('Concept image, from the prompt: A calendar with Fridays crossed out');
  });

  it('embeds only raster images it owns: an SVG asset, or a hash like "constructor", falls back to the description', () => {
    const record = recordWith();
    const images = record.images.map((image) => (image.hash === 'img-missing' ? { ...image, hash: 'constructor' } : image));
    const transcript = record.transcript.map((entry) => (entry.images ? { ...entry, images: entry.images.map((hash) => (hash === 'img-missing' ? 'constructor' : hash)) } : entry));
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    const html = renderTranscriptHtml({ ...record, images, transcript }, { ...assets, images: { ...assets.images, 'img-shown': { contentType: 'image/svg+xml', bytes: svg } } });
    expect(html).not.toContain(svg.toString('base64'));
    expect(html).not.toContain('image/svg');
    expect(elements(section(html, 'transcript')).filter((element) => element.name === 'img')).toHaveLength(1);
    expect(html.match(/<figure class="image image-missing">/g)).toHaveLength(2);
    expect(text(section(html, 'transcript'))).toContain('An open-plan office');
  });

  it('gives each speaker a mark: a persona’s avatar embedded once however often it speaks, a person’s initial, the moderator’s sign', () => {
    const html = renderTranscriptHtml(recordWith(), assets);
    const avatar = assets.avatars.ada?.bytes.toString('base64') ?? 'missing';
    expect(html.split(avatar).length - 1).toBe(1);
    const entries = section(html, 'transcript').match(/<li class="entry entry-\w+"><span class="avatar [^"]*"[^>]*>[^<]*/g) ?? [];
    expect(entries).toHaveLength(5);
    expect(entries[0]).toMatch(/entry-moderator"><span class="avatar moderator"/);
    expect(entries[1]).toMatch(/entry-persona"><span class="avatar avatar-0"/);
    expect(entries[2]).toMatch(/entry-person"><span class="avatar hue-\d"[^>]*>P$/);
  });

  it('writes its labels in the session’s language (Chinese for zh), text as written', () => {
    const html = renderTranscriptHtml(recordWith({ session: { ...recordWith().session, language: 'zh-CN' } }), assets);
    expect(html).toContain('<html lang="zh-CN">');
    for (const label of ['决策记录', '专家组的分歧', '讨论记录', '用量', '持此观点：']) expect(html).toContain(label);
    for (const label of ['Decision record', 'Where the panel split', 'Transcript']) expect(text(html)).not.toContain(label);
    expect(text(html)).toContain('Pilot in one team now');
  });

  it('falls back to English for a language tag that is not one, keeping the attribute safe', () => {
    const html = renderTranscriptHtml(recordWith({ session: { ...recordWith().session, language: 'en"><script>' } }), assets);
    expect(html).toContain('<html lang="en">');
  });

  it('is deterministic: the same bytes on a second run and in another time zone (times are UTC)', () => {
    const first = renderTranscriptHtml(recordWith(), assets);
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Kolkata';
      expect(renderTranscriptHtml(recordWith(), assets)).toBe(first);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(text(first)).toContain('Mar 12, 2026, 14:00 UTC');
    expect(text(first)).toContain('closed after a time without activity, Mar 12, 2026, 15:05 UTC');
    expect(text(first)).toContain('Length 1 h 5 min');
  });

  it('lists token use per panelist, the session-wide calls and the total, with the estimated cost in its currency', () => {
    const usage = text(section(renderTranscriptHtml(recordWith(), assets), 'usage'));
    expect(usage).toContain('Ada 5,000 300 4 $0.20');
    expect(usage).toContain('Whole session 12,345 678 9 $0.42');
    expect(usage).toContain('Images generated: 1');
  });
});
