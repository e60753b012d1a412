/**
 * Imports a persona from a "character card": the Character Card V1/V2/V3 JSON used by chat
 * front ends (https://github.com/malfoyslastname/character-card-spec-v2), given as JSON text or
 * bytes, or as a PNG whose `tEXt`/`iTXt` chunk (`ccv3`, else `chara`) holds base64 of that JSON.
 *
 * Everything here is pure: no I/O, no logging. Every refusal is a `TableRoundError` with a short,
 * true `publicMessage`; its internal message names no card text (a `cause`, when kept, may).
 */
import { Buffer } from 'node:buffer';
import { TableRoundError } from '../errors.ts';
import { personaSchema, type Persona } from './panel-schema.ts';
import { cleanDisplayName } from './display-name.ts';
import { slugOrHash, uniqueId } from './panel-ids.ts';

/** The result of an import: the persona, plus what the person should be told about it. */
export interface ImportedPersona {
  persona: Persona;
  /** Card field names whose non-empty content was not carried into the persona. */
  dropped: string[];
  /** Short, true sentences about what was changed (cut for length, renamed …). */
  notes: string[];
  format: 'v1' | 'v2' | 'v3';
}

/** Largest file accepted (PNG or JSON bytes). */
export const MAX_CARD_BYTES = 8 * 1024 * 1024;
/** Largest card JSON accepted, in UTF-8 bytes after base64 decoding. */
export const MAX_CARD_JSON_BYTES = 256 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const BACKGROUND_MAX = 1200;
const FOCUS_MAX = 400;
const TITLE_MAX = 60;
const NAME_MAX = 60;
const ROLE_MAX = 40;
const ID_MAX = 40;
const EXCERPT_MAX = 240;
/** Below this much room, the scenario is left out rather than squeezed into the background. */
const MIN_SETTING_ROOM = 80;
const SETTING_PREFIX = 'Setting: ';
const PLAIN_STYLE = 'Plain and direct.';
/** What `{{user}}` becomes: our bot talks with people, not one "user". */
const PERSON = 'the person';
/** The error code of every card we refuse. */
const REFUSAL_CODE = 'card_invalid';

/**
 * Reads a character card and maps it onto a panel persona.
 *
 * @param input JSON text, or the bytes of a PNG card or of a JSON file.
 * @param options.takenIds ids already used in the panel; the new id gets `_2`, `_3` … to stay unique.
 * @throws TableRoundError for anything that is not a readable card, with a `publicMessage` saying why.
 */
export function importCharacterCard(input: Uint8Array | string, options: { takenIds?: ReadonlySet<string> } = {}): ImportedPersona {
  return guarded(() => {
    const { format, data } = parseCard(cardText(input));
    return toPersona(format, data, options.takenIds ?? new Set());
  });
}

/**
 * Extracts the card JSON text from a PNG character card: the base64 text of its `ccv3` chunk when
 * present, else of its `chara` chunk (`tEXt`, or uncompressed `iTXt`), decoded as UTF-8.
 * Chunks are read up to `IEND`; CRCs are not checked and pixels are never decoded.
 *
 * @throws TableRoundError when the bytes are not a PNG, are cut short, hold no card chunk, or the
 *   chunk is compressed, not base64, not UTF-8 or too large.
 */
export function cardJsonFromPng(bytes: Uint8Array): string {
  return guarded(() => pngCardJson(bytes));
}

/** Runs `read`, turning any error that is not already a TableRoundError into a refusal (never a raw error). */
function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof TableRoundError) throw error;
    throw refusal(`character card import failed: ${error instanceof Error ? error.message : String(error)}`, 'This character card could not be read.', error);
  }
}

function pngCardJson(bytes: Uint8Array): string {
  checkFileSize(bytes);
  if (!hasPngSignature(bytes)) throw refusal('not a PNG: bad signature', 'This file is not a PNG image.');
  const chunks = cardChunks(bytes);
  const usable = chunks.ccv3?.text !== undefined ? chunks.ccv3 : chunks.chara?.text !== undefined ? chunks.chara : undefined;
  if (usable?.text !== undefined) return decodeCardBase64(usable.text);
  if (chunks.ccv3 ?? chunks.chara) {
    throw refusal('PNG card chunk is a compressed iTXt', 'This PNG stores its card compressed, which is not supported.');
  }
  throw refusal('PNG has no chara/ccv3 text chunk', 'This PNG has no character card in it.');
}

// ---------------------------------------------------------------------------------------------
// Input: bytes or text → card JSON text

function cardText(input: Uint8Array | string): string {
  if (typeof input === 'string') {
    checkJsonSize(Buffer.byteLength(input, 'utf8'));
    return input.replace(/^\uFEFF/, '');
  }
  checkFileSize(input);
  if (hasPngSignature(input)) return pngCardJson(input);
  if (!startsLikeJsonObject(input)) {
    throw refusal('input is neither a PNG nor JSON', 'This file is not a PNG character card or card JSON.');
  }
  checkJsonSize(input.byteLength);
  return decodeUtf8(input);
}

/** Whether the first byte after an optional UTF-8 BOM and whitespace is `{`. */
function startsLikeJsonObject(bytes: Uint8Array): boolean {
  let index = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (index < bytes.byteLength && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[index] ?? 0)) index++;
  return bytes[index] === 0x7b;
}

function checkFileSize(bytes: Uint8Array): void {
  if (bytes.byteLength > MAX_CARD_BYTES) {
    throw refusal(`card file is ${bytes.byteLength} bytes`, 'This file is too large for a character card (limit 8 MiB).');
  }
}

function checkJsonSize(byteLength: number): void {
  if (byteLength > MAX_CARD_JSON_BYTES) {
    throw refusal(`card JSON is ${byteLength} bytes`, 'This card\'s text is too large (limit 256 KiB).');
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw refusal('card text is not UTF-8', 'This card\'s text is not valid UTF-8.', error);
  }
}

function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.byteLength >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

interface CardChunk {
  /** The chunk's text; undefined for a compressed iTXt. */
  text: string | undefined;
}

/** The first `chara` and `ccv3` text chunks before IEND (keywords compared case-insensitively). */
function cardChunks(bytes: Uint8Array): { chara?: CardChunk; ccv3?: CardChunk } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: { chara?: CardChunk; ccv3?: CardChunk } = {};
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.byteLength) throw truncatedPng(`no chunk header at ${offset}`);
    const length = view.getUint32(offset);
    const type = latin1(bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) {
      throw refusal(`bad PNG chunk at ${offset}`, 'This PNG file is damaged.');
    }
    const start = offset + 8;
    const end = start + length;
    if (end + 4 > bytes.byteLength) throw truncatedPng(`chunk ${type} at ${offset} runs past the end`);
    if (type === 'IEND') return found;
    if (type === 'tEXt' || type === 'iTXt') {
      const chunk = type === 'tEXt' ? readText(bytes.subarray(start, end)) : readInternationalText(bytes.subarray(start, end));
      const keyword = chunk?.keyword.toLowerCase();
      if (chunk && (keyword === 'chara' || keyword === 'ccv3') && !found[keyword]) found[keyword] = { text: chunk.text };
    }
    offset = end + 4;
  }
}

function truncatedPng(detail: string): TableRoundError {
  return refusal(`truncated PNG: ${detail}`, 'This PNG file is cut short or damaged.');
}

/** `tEXt`: keyword, NUL, Latin-1 text. Undefined when there is no NUL. */
function readText(data: Uint8Array): { keyword: string; text: string } | undefined {
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  return { keyword: latin1(data.subarray(0, nul)), text: latin1(data.subarray(nul + 1)) };
}

/**
 * `iTXt`: keyword, NUL, compression flag, method, language tag, NUL, translated keyword, NUL,
 * UTF-8 text. A compressed one yields `text: undefined`; a malformed one yields undefined.
 */
function readInternationalText(data: Uint8Array): { keyword: string; text: string | undefined } | undefined {
  const nul = data.indexOf(0);
  if (nul < 1 || nul + 2 >= data.byteLength) return undefined;
  const keyword = latin1(data.subarray(0, nul));
  const compressed = data[nul + 1] !== 0;
  const languageEnd = data.indexOf(0, nul + 3);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  // The text is UTF-8, but base64 is ASCII: anything else fails the base64 check later.
  return { keyword, text: compressed ? undefined : latin1(data.subarray(translatedEnd + 1)) };
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function decodeCardBase64(text: string): string {
  const compact = text.replace(/\s+/g, '');
  const valid = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) && (compact.includes('=') ? compact.length % 4 === 0 : compact.length % 4 !== 1);
  if (!valid) throw refusal('PNG card chunk is not base64', 'This PNG\'s card data is not valid base64.');
  checkJsonSize(Math.floor((compact.length * 3) / 4) - (compact.length - compact.replace(/=+$/, '').length));
  return decodeUtf8(Buffer.from(compact, 'base64'));
}

// ---------------------------------------------------------------------------------------------
// Card JSON → format and fields

type CardData = Record<string, unknown>;

function isRecord(value: unknown): value is CardData {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseCard(text: string): { format: ImportedPersona['format']; data: CardData } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw refusal('card is not JSON', 'This card is not valid JSON.', error);
  }
  if (!isRecord(json)) throw refusal('card JSON is not an object', 'This JSON is not a character card.');
  const { spec } = json;
  if (spec === undefined) {
    if (typeof json.name !== 'string') throw refusal('V1 card without a name string', 'This JSON is not a character card (it has no name).');
    return { format: 'v1', data: json };
  }
  if (spec !== 'chara_card_v2' && spec !== 'chara_card_v3') {
    throw refusal('unknown card spec', 'This card\'s format is not supported (only V1, V2 and V3 are).');
  }
  if (!isRecord(json.data)) throw refusal('card has no data object', 'This card has no data section.');
  return { format: spec === 'chara_card_v3' ? 'v3' : 'v2', data: json.data };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

// ---------------------------------------------------------------------------------------------
// Fields → persona

function toPersona(format: ImportedPersona['format'], data: CardData, takenIds: ReadonlySet<string>): ImportedPersona {
  const used = new Set<string>(['name']);
  const notes: string[] = [];
  const rawName = singleLine(str(data.name));
  if (rawName === '') throw refusal('card name is empty', 'This card has no name.');

  const nickname = format === 'v3' ? singleLine(str(data.nickname)) : '';
  const fromNickname = cleanName(nickname);
  if (fromNickname !== '') used.add('nickname');
  const displayName = fromNickname || cleanName(rawName);
  if (displayName === '') throw refusal('card name is empty after cleaning', 'This card\'s name is empty once characters not allowed in chat names are removed.');
  if (/^(everyone|here)$/i.test(displayName)) throw refusal('card name is a mention keyword', `This card's name "${displayName}" cannot be used as a chat name.`);
  if (displayName !== (fromNickname ? nickname : rawName)) notes.push(`name shown as "${displayName}"`);

  const text = (key: string): string => cleanText(fillPlaceholders(str(data[key]), displayName));
  const description = text('description');
  const personality = singleLine(text('personality'));
  const scenario = text('scenario');
  if (description === '' && personality === '' && scenario === '') {
    throw refusal('card has no description, personality or scenario', 'This card has no description, personality or scenario.');
  }

  const background = buildBackground(description, scenario, personality, used, notes);

  let roleFocus: string;
  if (personality !== '') {
    used.add('personality');
    roleFocus = cutAtWord(personality, FOCUS_MAX);
    if (roleFocus !== personality) notes.push(`role focus cut to ${count(FOCUS_MAX)} characters`);
  } else {
    roleFocus = cutAtWord(singleLine(firstSentence(description || scenario)), FOCUS_MAX);
  }

  const speakingStyle = buildSpeakingStyle(data, rawName, displayName, used);

  const tags = Array.isArray(data.tags) ? data.tags.map((tag) => singleLine(fillPlaceholders(str(tag), displayName))).filter((tag) => tag !== '') : [];
  const roleTitle = tags[0] === undefined ? 'Guest' : capitalize(cutAtWord(tags[0], TITLE_MAX));
  if (tags.length === 1) used.add('tags');
  if (tags.length > 1) notes.push('only the first tag was used, as the role title');
  const role = slugOrHash(roleTitle, ROLE_MAX, 'role');

  const baseId = slugOrHash(rawName, ID_MAX, 'persona');
  const id = uniqueId(baseId, takenIds);
  if (id !== baseId) notes.push(`id is "${id}" as "${baseId}" is taken`);

  const dropped = Object.entries(data)
    .filter(([key, value]) => !used.has(key) && hasContent(value))
    .map(([key]) => key);

  const parsed = personaSchema.safeParse({ id, displayName, role, roleTitle, roleFocus, background, speakingStyle });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new TableRoundError('internal', `character card mapped to an invalid persona: ${issues}`, {
      publicMessage: 'This card could not be turned into a persona; that is a bug on our side.',
    });
  }
  return { persona: parsed.data, dropped, notes, format };
}

/** The description, then the scenario as "Setting: …" when there is room; else what exists. */
function buildBackground(description: string, scenario: string, personality: string, used: Set<string>, notes: string[]): string {
  const setting = scenario === '' ? '' : SETTING_PREFIX + scenario;
  if (description === '') {
    const source = setting || personality;
    used.add(setting ? 'scenario' : 'personality');
    const background = cutAtWord(source, BACKGROUND_MAX);
    if (background !== source) notes.push(`background cut to ${count(BACKGROUND_MAX)} characters`);
    return background;
  }
  used.add('description');
  const background = cutAtWord(description, BACKGROUND_MAX);
  if (background !== description) {
    notes.push(`background cut to ${count(BACKGROUND_MAX)} characters`);
    return background;
  }
  if (setting === '') return background;
  const room = BACKGROUND_MAX - background.length - 2;
  if (setting.length <= room) {
    used.add('scenario');
    return `${background}\n\n${setting}`;
  }
  if (room < MIN_SETTING_ROOM) return background;
  used.add('scenario');
  notes.push('scenario cut to fit the background');
  return `${background}\n\n${cutAtWord(setting, room)}`;
}

/** "Speaks like: “…”" from the first line the character says in `mes_example`, else from `first_mes`. */
function buildSpeakingStyle(data: CardData, rawName: string, displayName: string, used: Set<string>): string {
  const example = exampleLine(cleanText(str(data.mes_example)), rawName);
  let excerpt = singleLine(fillPlaceholders(example, displayName));
  if (excerpt !== '') {
    used.add('mes_example');
  } else {
    excerpt = singleLine(fillPlaceholders(cleanText(str(data.first_mes)), displayName));
    if (excerpt !== '') used.add('first_mes');
  }
  return excerpt === '' ? PLAIN_STYLE : `Speaks like: “${cutAtWord(excerpt, EXCERPT_MAX)}”`;
}

/** The first line the character speaks in example dialogue (`{{char}}: …`), else the first line with no speaker label (narration). */
function exampleLine(examples: string, rawName: string): string {
  const lines = examples.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^<start>$/i.test(line));
  const speaker = new RegExp(`^(?:\\{\\{char\\}\\}|<bot>|${escapeRegExp(rawName)})\\s*:\\s*(.*)$`, 'i');
  for (const line of lines) {
    const said = speaker.exec(line)?.[1]?.trim();
    if (said) return said;
  }
  return lines.find((line) => !/^[^:\s][^:]{0,30}:\s/.test(line)) ?? '';
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Replaces `{{char}}`/`<BOT>` with the name and `{{user}}`/`<USER>` with "the person", case-insensitively, in one pass. */
function fillPlaceholders(text: string, name: string): string {
  return text.replace(/\{\{(char|user)\}\}|<(bot|user)>/gi, (_match, braced: string | undefined, angled: string | undefined, offset: number, whole: string) => {
    const which = (braced ?? angled ?? '').toLowerCase();
    if (which === 'char' || which === 'bot') return name;
    return startsSentence(whole.slice(0, offset)) ? capitalize(PERSON) : PERSON;
  });
}

function startsSentence(before: string): boolean {
  return /(?:(?:^|\n)[\s*"“'_(]*|[.!?…][\s"”’'*_)\]]+)$/.test(before);
}

/** Newlines normalised, control and bidi-override characters removed, spaces collapsed, at most one blank line. */
function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\p{Cc}/gu, (char) => (char === '\n' ? char : ''))
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, '')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function singleLine(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ');
}

/** A name as webhook names are cleaned (display-name.ts); empty when nothing usable is left. */
function cleanName(name: string): string {
  return cleanDisplayName(name, '', NAME_MAX);
}

/** At most `max` characters, cut at a word boundary (when one is in the second half) and ended with "…". */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  const atBoundary = /\s/.test(text.charAt(head.length));
  if (!atBoundary) {
    const lastSpace = head.search(/\s\S*$/);
    if (lastSpace >= max / 2) head = head.slice(0, lastSpace);
  }
  return `${head.replace(/[\s,;:–—-]+$/u, '')}…`;
}

/** The first sentence of the first non-empty line (a sentence ends at . ! ? … after 12+ characters). */
function firstSentence(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '')?.trim() ?? '';
  return /^.{12,}?[.!?…](?=\s|$)/u.exec(line)?.[0] ?? line;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

// ---------------------------------------------------------------------------------------------
// Ids


// ---------------------------------------------------------------------------------------------

/** Whether a card field carries something: a non-blank string, or a container holding one (numbers/booleans count at top level only). */
function hasContent(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.trim() !== '';
  if (depth > 32) return true;
  if (Array.isArray(value)) return value.some((item) => hasContent(item, depth + 1));
  if (isRecord(value)) return Object.values(value).some((item) => hasContent(item, depth + 1));
  return depth === 0 && (typeof value === 'number' || typeof value === 'boolean');
}

function refusal(message: string, publicMessage: string, cause?: unknown): TableRoundError {
  return new TableRoundError(REFUSAL_CODE, message, cause === undefined ? { publicMessage } : { publicMessage, cause });
}
