/**
 * A session's meta hash field by field: JSON fields as JSON (the agenda through agenda-json.ts),
 * numbers as decimal text, the rest as the strings they are.
 */
import { parseAgenda, stringifyAgenda } from './agenda-json.ts';
import type { SessionMeta, Step } from '../session/session-types.ts';

const metaJsonFields = new Set<keyof SessionMeta>(['starter', 'agenda', 'roleMap', 'votedKeywords', 'promptStats', 'muted', 'paused', 'stopRequest', 'channelSettings']);
const metaNumberFields = new Set<keyof SessionMeta>([
  'round', 'autoRounds', 'createdAt', 'updatedAt', 'seq', 'epoch', 'revivals', 'summarisedThrough', 'replyCursor', 'pollCount', 'tokensPrompt', 'tokensCompletion', 'modelCalls', 'imagesGenerated', 'tokenBudget',
]);

function encodeField(field: string, value: unknown): string {
  if (field === 'agenda') return stringifyAgenda(value as Step[]);
  return metaJsonFields.has(field as keyof SessionMeta) ? JSON.stringify(value) : String(value);
}

function decodeField(field: string, value: string): unknown {
  if (field === 'agenda') return parseAgenda(value);
  if (metaJsonFields.has(field as keyof SessionMeta)) return JSON.parse(value);
  if (metaNumberFields.has(field as keyof SessionMeta)) return Number(value);
  return value;
}

/** Appends the meta's defined fields to `args` as field/value pairs, in place (a commit's arguments); returns how many. */
export function pushMetaFields(args: (string | number)[], meta: Partial<SessionMeta>): number {
  let count = 0;
  for (const field in meta) {
    const value = meta[field as keyof SessionMeta];
    if (value === undefined) continue;
    args.push(field, encodeField(field, value));
    count++;
  }
  return count;
}

/**
 * A meta hash as HGETALL's flat field/value list gives it, decoded (undefined: no session, which
 * has no `seq`), with its `createdAt` as stored.
 */
export function decodeMeta(flat: readonly string[]): { meta: SessionMeta | undefined; createdAt: string | undefined } {
  const decoded: Record<string, unknown> = {};
  let createdAt: string | undefined;
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const field = flat[index]!;
    const value = flat[index + 1]!;
    if (field === 'createdAt') createdAt = value;
    decoded[field] = decodeField(field, value);
  }
  return { meta: decoded.seq === undefined ? undefined : (decoded as unknown as SessionMeta), createdAt };
}
