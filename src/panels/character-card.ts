/**
 * Imports a persona from a "character card": the Character Card V1/V2/V3 JSON used by chat
 * front ends (https://github.com/malfoyslastname/character-card-spec-v2), given as JSON text or
 * bytes, or as a PNG whose `tEXt`/`iTXt` chunk (`ccv3`, else `chara`) holds base64 of that JSON.
 *
 * Everything here is pure: no I/O, no logging. Every refusal is a `TableRoundError` with a short,
 * true `publicMessage`; its internal message names no card text (a `cause`, when kept, may).
 */
import { TableRoundError } from '../errors.ts';
import { personaSchema, type Persona } from './panel-schema.ts';
import { cleanDisplayName } from './display-name.ts';
import { clipText } from '../prompts/sentence-cut.ts';
import { slugOrHash, uniqueId } from './panel-ids.ts';
import { cardText, pngCardJson, refusal } from './card-bytes.ts';

export { MAX_CARD_BYTES, MAX_CARD_JSON_BYTES } from './card-bytes.ts';

/** The result of an import: the persona, plus what the person should be told about it. */
export interface ImportedPersona {
  persona: Persona;
  /** Card field names whose non-empty content was not carried into the persona. */
  dropped: string[];
  /** Short, true sentences about what was changed (cut for length, renamed …). */
  notes: string[];
  format: 'v1' | 'v2' | 'v3';
}

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
    roleFocus = clipText(personality, FOCUS_MAX);
    if (roleFocus !== personality) notes.push(`role focus cut to ${count(FOCUS_MAX)} characters`);
  } else {
    roleFocus = clipText(singleLine(firstSentence(description || scenario)), FOCUS_MAX);
  }

  const speakingStyle = buildSpeakingStyle(data, rawName, displayName, used);

  const tags = Array.isArray(data.tags) ? data.tags.map((tag) => singleLine(fillPlaceholders(str(tag), displayName))).filter((tag) => tag !== '') : [];
  const roleTitle = tags[0] === undefined ? 'Guest' : capitalize(clipText(tags[0], TITLE_MAX));
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
    const background = clipText(source, BACKGROUND_MAX);
    if (background !== source) notes.push(`background cut to ${count(BACKGROUND_MAX)} characters`);
    return background;
  }
  used.add('description');
  const background = clipText(description, BACKGROUND_MAX);
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
  return `${background}\n\n${clipText(setting, room)}`;
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
  return excerpt === '' ? PLAIN_STYLE : `Speaks like: “${clipText(excerpt, EXCERPT_MAX)}”`;
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
