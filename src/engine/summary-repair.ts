/**
 * The closing summary's repair, run before its schema (the gateway's `coerce`). Lenient, because
 * a summary with one list missing is still worth far more than "Closing summary unavailable":
 * - the summary under a wrapper key (`{ "summary": { … } }`) is unwrapped;
 * - keys are found by name regardless of case, `_` or `-` (`open_questions`, `design-card`);
 * - a missing list becomes `[]`; a string where a list is expected is split at line breaks and
 *   bullets (and, for the design card's short lists, at commas); list items that are objects give
 *   their text; lists are cut to the schema's maximum;
 * - takeaways may be `[{ name, takeaway }]`, `[{ persona, text }]`, `["Name: text"]`, or an object
 *   map `{ "Name": "text" }`;
 * - a missing design card, or a missing field of it, becomes empty; extra keys are dropped;
 * - `splits` (where the panel disagreed) and `nextSteps` may be missing (→ `[]`); a position's
 *   panelists may be a string ("Ada, Lin"); a next step may be a bare string (no owner);
 *   positions without a panelist and splits with fewer than two positions are dropped — a
 *   "split" nobody held, or with one side, is no dissent worth recording.
 *
 * Contract: the summary is usable when any decision, open question, takeaway or design-card name,
 * form or meaning is there. Otherwise the raw answer is returned unchanged — invalid on purpose, so
 * the gateway's one corrective retry happens, and only then is the summary "unavailable".
 */

export const summaryLimits = { list: 10, takeaways: 12, splits: 6, positions: 6 } as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const keyOf = (key: string) => key.toLowerCase().replace(/[\s_-]/g, '');

/** The value under any of `names` (compared without case, `_`, `-` or spaces). */
function field(record: Record<string, unknown>, names: string[]): unknown {
  const wanted = names.map(keyOf);
  return Object.entries(record).find(([key]) => wanted.includes(keyOf(key)))?.[1];
}

const summaryKeys = ['decisions', 'openQuestions', 'takeaways', 'designCard'];

/** Repairs a raw closing summary (see the header). Never throws. */
export function repairClosingSummary(raw: unknown, depth = 0): unknown {
  if (!isRecord(raw)) return raw;
  if (field(raw, summaryKeys) === undefined && depth < 2) {
    const wrapped = Object.values(raw).find(isRecord);
    return wrapped ? repairClosingSummary(wrapped, depth + 1) : raw;
  }
  const card = field(raw, ['designCard', 'card', 'design']);
  const cardRecord = isRecord(card) ? card : {};
  const repaired = {
    decisions: toList(field(raw, ['decisions', 'decision', 'agreed', 'conclusions']), false).slice(0, summaryLimits.list),
    openQuestions: toList(field(raw, ['openQuestions', 'questions', 'openIssues']), false).slice(0, summaryLimits.list),
    splits: toSplits(field(raw, ['splits', 'disagreements', 'dissent', 'divisions'])).slice(0, summaryLimits.splits),
    nextSteps: toNextSteps(field(raw, ['nextSteps', 'actions', 'actionItems', 'todo'])).slice(0, summaryLimits.list),
    takeaways: toTakeaways(field(raw, ['takeaways', 'takeaway', 'personaTakeaways'])).slice(0, summaryLimits.takeaways),
    designCard: {
      name: toText(field(cardRecord, ['name', 'title'])),
      form: toText(field(cardRecord, ['form', 'shape'])),
      elements: toList(field(cardRecord, ['elements', 'keyElements']), true).slice(0, summaryLimits.list),
      functions: toList(field(cardRecord, ['functions', 'function', 'features']), true).slice(0, summaryLimits.list),
      targetUsers: toText(field(cardRecord, ['targetUsers', 'users', 'audience', 'target'])),
      meaning: toText(field(cardRecord, ['meaning', 'significance', 'story'])),
    },
  };
  const usable =
    repaired.decisions.length > 0 || repaired.openQuestions.length > 0 || repaired.takeaways.length > 0 || repaired.splits.length > 0 || Boolean(repaired.designCard.name || repaired.designCard.form || repaired.designCard.meaning);
  return usable ? repaired : raw;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(toText).filter(Boolean).join(', ');
  if (isRecord(value)) return Object.values(value).map(toText).filter(Boolean).join(' — ');
  return '';
}

/** A list of strings from a list, a string (split), or nothing. */
function toList(value: unknown, splitCommas: boolean): string[] {
  if (Array.isArray(value)) return value.map(toText).filter(Boolean);
  if (typeof value !== 'string') return value === undefined || value === null ? [] : [toText(value)].filter(Boolean);
  return value
    .split(splitCommas ? /\n+|[,，、;；]/ : /\n+|;\s+|；/)
    .map((item) => item.replace(/^\s*(?:[-*•·]|\d{1,2}[.)])\s*/, '').trim())
    .filter(Boolean);
}

function toTakeaways(value: unknown): { name: string; takeaway: string }[] {
  if (isRecord(value)) {
    // `{ "Ada": "text" }` — or one takeaway object on its own.
    if (field(value, ['takeaway', 'text']) !== undefined) return toTakeaways([value]);
    return Object.entries(value).map(([name, text]) => ({ name: name.trim(), takeaway: toText(text) })).filter((item) => item.name && item.takeaway);
  }
  const items = typeof value === 'string' ? toList(value, false) : Array.isArray(value) ? value : [];
  return items
    .map((item) => {
      if (typeof item === 'string') {
        const split = /^(.{1,60}?)\s*[:：—–-]\s+(.+)$/s.exec(item) ?? /^(.{1,60}?)[:：](.+)$/s.exec(item);
        return split ? { name: split[1]!.trim(), takeaway: split[2]!.trim() } : { name: '', takeaway: item.trim() };
      }
      if (!isRecord(item)) return { name: '', takeaway: '' };
      return { name: toText(field(item, ['name', 'persona', 'speaker', 'who', 'panelist'])), takeaway: toText(field(item, ['takeaway', 'text', 'summary', 'point', 'insight'])) };
    })
    .filter((item) => item.takeaway);
}

function toNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(toText).filter(Boolean);
  return typeof value === 'string' ? value.split(/\s*(?:[,，、;；&]|\band\b|和)\s*/).map((name) => name.trim()).filter(Boolean) : [];
}

function toSplits(value: unknown): { question: string; positions: { position: string; panelists: string[]; inTheirWords?: string }[] }[] {
  const items = Array.isArray(value) ? value : isRecord(value) ? [value] : [];
  return items.flatMap((item) => {
    if (!isRecord(item)) return [];
    const question = toText(field(item, ['question', 'topic', 'issue', 'on']));
    const rawPositions = field(item, ['positions', 'sides', 'views']);
    const positions = (Array.isArray(rawPositions) ? rawPositions : [])
      .flatMap((position) => {
        if (!isRecord(position)) return [];
        const panelists = toNames(field(position, ['panelists', 'heldBy', 'who', 'names', 'personas']));
        const text = toText(field(position, ['position', 'view', 'stance', 'claim']));
        const quote = toText(field(position, ['inTheirWords', 'quote', 'words']));
        return text && panelists.length ? [{ position: text, panelists, ...(quote ? { inTheirWords: quote } : {}) }] : [];
      })
      .slice(0, summaryLimits.positions);
    return question && positions.length >= 2 ? [{ question, positions }] : [];
  });
}

function toNextSteps(value: unknown): { step: string; owner?: string }[] {
  const items = typeof value === 'string' ? toList(value, false) : Array.isArray(value) ? value : [];
  return items.flatMap((item) => {
    if (typeof item === 'string') return item.trim() ? [{ step: item.trim() }] : [];
    if (!isRecord(item)) return [];
    const step = toText(field(item, ['step', 'action', 'task', 'what']));
    const owner = toText(field(item, ['owner', 'who', 'assignee', 'by']));
    return step ? [{ step, ...(owner ? { owner } : {}) }] : [];
  });
}
