/**
 * What `/end` leaves behind besides its summary post: the session record (src/record/) gathered
 * from the store, and the transcript files — Markdown, the record as JSON, and the self-contained
 * HTML page (avatars, images' thumbnails and the vote chart inlined).
 *
 * Hazards: the HTML inlines images; past `htmlImageBudgetBytes` of them the rest are left out (the
 * page shows their descriptions), so the file stays well within every platform's upload limit. A
 * missing avatar, thumbnail or chart costs only that picture, never the files.
 */
import type { OutboundFile } from '../../adapter/chat-adapter.ts';
import { t } from '../../i18n/translate.ts';
import { buildSessionRecord, parseModelPrices } from '../../record/build-record.ts';
import type { SessionRecord } from '../../record/session-record.ts';
import { renderTranscriptHtml, type TranscriptAsset, type TranscriptAssets } from '../../record/transcript-html.ts';
import type { TranscriptEntry } from '../../session/session-types.ts';
import type { StepContext } from '../step-context.ts';
import type { ClosingSummary } from './closing-step.ts';

/**
 * Image bytes the HTML page may inline in all: base64 makes them a third larger, so the page stays
 * near 4 MB at most, within Discord's 10 MiB upload limit together with the other two files.
 */
export const htmlImageBudgetBytes = 3_000_000;

/** The session record as it stands: the store's transcript plus `extra`, the poll's tally, token use. */
export async function gatherRecord(context: StepContext, input: { summary: ClosingSummary | undefined; extra: TranscriptEntry[]; endedBy: string }): Promise<SessionRecord> {
  const { store, config } = context.deps;
  const [meta, transcript, images, poll, ballots, candidates, usage] = await Promise.all([
    store.load(context.sessionId),
    store.transcript(context.sessionId),
    store.images(context.sessionId),
    store.poll(context.sessionId),
    store.ballots(context.sessionId),
    store.candidates(context.sessionId),
    store.usageBySource(context.sessionId),
  ]);
  const support = (poll?.candidates ?? []).map((label) => candidates.find((candidate) => candidate.label === label)?.sources.length ?? 0);
  return buildSessionRecord({
    meta: { ...(meta ?? context.meta), language: context.meta.language },
    panel: context.panel,
    transcript: [...transcript, ...input.extra],
    images,
    poll,
    ballots: Object.values(ballots),
    support,
    vote: { threshold: config.VOTE_THRESHOLD, maxWinners: config.KEYWORDS_MAX_CANDIDATES },
    summary: input.summary,
    usage,
    prices: parseModelPrices(config.MODEL_PRICES),
    currency: config.MODEL_PRICE_CURRENCY,
    endedAt: Date.now(),
    endedBy: input.endedBy,
  });
}

/** The three transcript files under one base name (`….md`, `….json`, `….html`). */
export async function transcriptFiles(context: StepContext, record: SessionRecord, markdown: string, baseName: string): Promise<OutboundFile[]> {
  const { language } = context.meta;
  const files: OutboundFile[] = [
    { filename: `${baseName}.md`, contentType: 'text/markdown', bytes: Buffer.from(markdown, 'utf8'), description: t(language, 'closing.transcriptDescription') },
    { filename: `${baseName}.json`, contentType: 'application/json', bytes: Buffer.from(`${JSON.stringify(record, null, 2)}\n`, 'utf8'), description: t(language, 'decision.recordDescription') },
  ];
  try {
    const html = renderTranscriptHtml(record, await htmlAssets(context, record));
    files.push({ filename: `${baseName}.html`, contentType: 'text/html', bytes: Buffer.from(html, 'utf8'), description: t(language, 'decision.pageDescription') });
  } catch (error) {
    context.logger.error({ err: error }, 'the HTML transcript could not be made; attaching the others');
  }
  return files;
}

/** Avatars, thumbnails and vote charts for the page, within the image budget. */
async function htmlAssets(context: StepContext, record: SessionRecord): Promise<TranscriptAssets> {
  let budget = htmlImageBudgetBytes;
  const take = (asset: TranscriptAsset): TranscriptAsset | undefined => {
    if (asset.bytes.length > budget) return undefined;
    budget -= asset.bytes.length;
    return asset;
  };
  const avatars: Record<string, TranscriptAsset> = {};
  for (const persona of context.panel.personas) {
    const png = await context.deps
      .identityOf(persona)
      .then((identity) => identity.avatarPng)
      .catch(() => undefined);
    const asset = png && take({ contentType: 'image/png', bytes: png });
    if (asset) avatars[persona.id] = asset;
  }
  const voteCharts: Record<string, TranscriptAsset> = {};
  for (const poll of record.polls) {
    const chart = await context.deps.images
      .voteChart(
        t(context.meta.language, 'vote.chartTitle', { topic: record.session.topic.slice(0, 60) }),
        poll.tally.map((row) => ({ label: row.keyword, personaVotes: row.panel, peopleVotes: row.people })),
        0,
      )
      .catch((error: unknown) => context.logger.warn({ err: error }, 'vote chart for the HTML transcript failed'));
    const asset = chart && take({ contentType: 'image/png', bytes: chart });
    if (asset) voteCharts[poll.pollId] = asset;
  }
  const images: Record<string, TranscriptAsset> = {};
  const thumbnails = await context.deps.store.thumbnails(context.sessionId).catch(() => ({}) as Record<string, Buffer>);
  for (const image of record.images) {
    const jpeg = thumbnails[image.hash];
    const asset = jpeg && take({ contentType: 'image/jpeg', bytes: jpeg });
    if (asset) images[image.hash] = asset;
  }
  return { avatars, images, voteCharts };
}
