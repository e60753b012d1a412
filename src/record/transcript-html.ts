/**
 * The session record as one self-contained HTML document, attached at `/end` next to the JSON:
 * header (topic, panel, who started and ended it), the decision record, polls, design card and
 * token use, then the whole transcript with avatars and images. Pure and deterministic: the same
 * record and assets give the same bytes (no clock, times in UTC).
 *
 * Hazards: every text in the record comes from people or models and is treated as hostile — it is
 * escaped before anything else (html-escape.ts, light-markdown.ts). The document makes no request
 * of any kind: CSS is inline, images are `data:` URLs, there are no scripts, links or fonts, and a
 * CSP meta forbids everything but inline styles and `data:` images in case something slips
 * through. Each avatar is embedded once (as a CSS class), not once per message, to keep long
 * sessions small. It must read on a 375 px phone without sideways scrolling
 * (test/browser/transcript-html.browser.test.ts opens it in Chromium to check).
 */
import { t } from '../i18n/translate.ts';
import type { RecordImage, SessionRecord } from './session-record.ts';
import { escapeHtml, imageDataUrl } from './html-escape.ts';
import { renderLightMarkdown } from './light-markdown.ts';
import { renderDecision, renderDesignCard, renderPolls, renderUsage } from './transcript-html-sections.ts';
import { documentLanguage, formatClock, formatDateTime, formatDuration, hueClass, initialOf } from './transcript-html-format.ts';
import { TRANSCRIPT_CSS } from './transcript-html-style.ts';

export interface TranscriptAsset {
  contentType: string;
  bytes: Buffer;
}

export interface TranscriptAssets {
  /** Persona avatars by persona id (square PNGs). */
  avatars: Record<string, TranscriptAsset>;
  /** Images by their hash (`record.images[].hash`): thumbnails of what people shared and of concept images. May miss some (then the description is shown alone). */
  images: Record<string, TranscriptAsset>;
  /** The vote chart PNG per poll id. */
  voteCharts: Record<string, TranscriptAsset>;
}

/** The document's Content-Security-Policy: nothing may load but inline styles and `data:` images. */
export const TRANSCRIPT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const RIGHT_TO_LEFT_LANGUAGES = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'sd', 'yi', 'dv', 'ug', 'ckb']);

interface RenderContext {
  record: SessionRecord;
  assets: TranscriptAssets;
  language: string;
  /** Persona id → CSS class carrying its avatar as a background image. */
  avatarClasses: Map<string, string>;
  imagesByHash: Map<string, RecordImage>;
  /** Hashes already shown as a figure: a second mention only points back to it. */
  shownImages: Set<string>;
}

/** One CSS class per persona avatar that is used (panelists first, then other persona speakers). */
function embedAvatars(record: SessionRecord, assets: TranscriptAssets): { classes: Map<string, string>; css: string } {
  const personaIds = [...record.panelists.map((panelist) => panelist.id), ...record.transcript.filter((entry) => entry.kind === 'persona').map((entry) => entry.speakerId)];
  const classes = new Map<string, string>();
  const rules: string[] = [];
  for (const id of personaIds) {
    if (classes.has(id)) continue;
    const url = imageDataUrl(assets.avatars, id);
    if (!url) continue;
    const className = `avatar-${classes.size}`;
    classes.set(id, className);
    rules.push(`.${className}{background-image:url("${url}")}`);
  }
  return { classes, css: rules.join('\n') };
}

function avatar(kind: 'moderator' | 'persona' | 'person', id: string, name: string, context: RenderContext, size = ''): string {
  const sizeClass = size ? ` ${size}` : '';
  if (kind === 'moderator') return `<span class="avatar moderator${sizeClass}" aria-hidden="true"></span>`;
  const avatarClass = kind === 'persona' ? context.avatarClasses.get(id) : undefined;
  if (avatarClass) return `<span class="avatar ${avatarClass}${sizeClass}" aria-hidden="true"></span>`;
  return `<span class="avatar ${hueClass(id)}${sizeClass}" aria-hidden="true">${escapeHtml(initialOf(name))}</span>`;
}

function renderHeader(context: RenderContext): string {
  const { record, language } = context;
  const session = record.session;
  const panelists = record.panelists.map((panelist) => {
    const muted = panelist.muted ? ` <span class="muted">(${escapeHtml(t(language, 'record.muted'))})</span>` : '';
    return `<li>${avatar('persona', panelist.id, panelist.name, context, 'small')}<span><strong>${escapeHtml(panelist.name)}</strong> <span class="role">${escapeHtml(panelist.role)}</span>${muted}</span></li>`;
  });
  const ended =
    session.endedBy === 'idle'
      ? t(language, 'record.endedIdle', { time: formatDateTime(session.endedAt, language) })
      : t(language, 'record.endedBy', { name: session.endedBy, time: formatDateTime(session.endedAt, language) });
  const duration = formatDuration(session.startedAt, session.endedAt, language);
  const fact = (label: string, value: string): string => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`;
  const facts = [
    fact(t(language, 'record.panel'), `<p>${escapeHtml(session.panel.name)}</p><ul class="panelists">${panelists.join('')}</ul>`),
    session.preset ? fact(t(language, 'record.preset'), escapeHtml(session.preset)) : '',
    fact(t(language, 'record.started'), escapeHtml(t(language, 'record.startedValue', { name: session.startedBy, time: formatDateTime(session.startedAt, language) }))),
    fact(t(language, 'record.ended'), escapeHtml(ended)),
    duration ? fact(t(language, 'record.length'), escapeHtml(duration)) : '',
  ];
  return (
    `<header><p class="kicker">${escapeHtml(t(language, 'record.kicker'))}</p><h1>${escapeHtml(session.topic)}</h1>` +
    `<dl class="facts">${facts.join('')}</dl><p class="note">${escapeHtml(t(language, 'record.timesInUtc'))}</p></header>`
  );
}

function renderFigure(image: RecordImage, context: RenderContext): string {
  const { language } = context;
  const source = image.kind === 'concept' ? t(language, 'record.image.concept') : t(language, 'record.image.sharedBy', { name: image.from, filename: image.filename });
  const url = imageDataUrl(context.assets.images, image.hash);
  if (!url) {
    return (
      `<figure class="image image-missing"><p class="image-description">${escapeHtml(image.description)}</p>` +
      `<figcaption><span class="image-source">${escapeHtml(source)} · ${escapeHtml(t(language, 'record.image.notIncluded'))}</span></figcaption></figure>`
    );
  }
  return (
    `<figure class="image image-${image.kind}"><img src="${url}" alt="${escapeHtml(image.description)}">` +
    `<figcaption><span class="image-source">${escapeHtml(source)}</span>${escapeHtml(image.description)}</figcaption></figure>`
  );
}

function renderEntryImages(hashes: readonly string[], context: RenderContext): string {
  return hashes
    .map((hash) => {
      const image = context.imagesByHash.get(hash);
      if (!image) return '';
      if (context.shownImages.has(hash)) return `<p class="note">${escapeHtml(t(context.language, 'record.image.shownAbove', { filename: image.filename }))}</p>`;
      context.shownImages.add(hash);
      return renderFigure(image, context);
    })
    .join('');
}

function renderTranscript(context: RenderContext): string {
  const { record, language } = context;
  const roles = new Map(record.panelists.map((panelist) => [panelist.id, panelist.role]));
  const items: string[] = [];
  let previousRound: number | undefined;
  for (const entry of record.transcript) {
    if (entry.round !== previousRound && entry.round > 0) items.push(`<li class="round">${escapeHtml(t(language, 'record.transcript.round', { round: entry.round }))}</li>`);
    previousRound = entry.round;
    const role = entry.role ?? (entry.kind === 'persona' ? roles.get(entry.speakerId) : undefined);
    const clock = formatClock(entry.at);
    const head =
      `<p class="entry-head"><strong class="speaker">${escapeHtml(entry.speakerName)}</strong>` +
      (role ? `<span class="role">${escapeHtml(role)}</span>` : '') +
      (clock ? `<time datetime="${escapeHtml(entry.at)}">${clock}</time>` : '') +
      '</p>';
    const body = `<div class="text">${renderLightMarkdown(entry.text)}</div>${renderEntryImages(entry.images ?? [], context)}`;
    items.push(`<li class="entry entry-${entry.kind}">${avatar(entry.kind, entry.speakerId, entry.speakerName, context)}<div class="entry-body">${head}${body}</div></li>`);
  }
  const list = items.length > 0 ? `<ol class="transcript">${items.join('')}</ol>` : `<p class="muted">${escapeHtml(t(language, 'record.transcript.empty'))}</p>`;
  return `<section id="transcript"><h2>${escapeHtml(t(language, 'record.transcript.title'))}</h2>${list}</section>`;
}

/** Images of the record no transcript entry showed (so none is lost); '' when there are none. Call after the transcript. */
function renderOtherImages(context: RenderContext): string {
  const rest = context.record.images.filter((image) => !context.shownImages.has(image.hash));
  if (rest.length === 0) return '';
  const figures = rest.map((image) => {
    context.shownImages.add(image.hash);
    return renderFigure(image, context);
  });
  return `<section id="images"><h2>${escapeHtml(t(context.language, 'record.images.other'))}</h2>${figures.join('')}</section>`;
}

/** The record as a self-contained HTML document (UTF-8 string). Pure: same input, same output. */
export function renderTranscriptHtml(record: SessionRecord, assets: TranscriptAssets): string {
  const language = documentLanguage(record.session.language);
  const { classes, css } = embedAvatars(record, assets);
  const context: RenderContext = { record, assets, language, avatarClasses: classes, imagesByHash: new Map(record.images.map((image) => [image.hash, image])), shownImages: new Set() };
  const direction = RIGHT_TO_LEFT_LANGUAGES.has(language.split('-')[0]?.toLowerCase() ?? '') ? ' dir="rtl"' : '';
  const footer = t(language, 'record.footer', { version: record.version, id: record.session.id, platform: record.session.platform });
  const body = [
    renderHeader(context),
    renderDecision(record, language),
    renderPolls(record, assets, language),
    renderDesignCard(record, language),
    renderUsage(record, language),
    renderTranscript(context),
    renderOtherImages(context),
    `<footer>${escapeHtml(footer)}</footer>`,
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(language)}"${direction}>`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${TRANSCRIPT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(t(language, 'record.documentTitle', { topic: record.session.topic }))}</title>`,
    `<style>${TRANSCRIPT_CSS}${css}</style>`,
    '</head>',
    `<body><main>\n${body}\n</main></body>`,
    '</html>',
    '',
  ].join('\n');
}
