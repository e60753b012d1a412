/**
 * How a transcript entry is stored in its Redis list: a JSON array in a fixed field order,
 * trailing optional fields left out — `[kind, speakerId, speakerName, text, at, stage, round,
 * role?, images?]`. Field names repeated in every entry were a fifth of a session's Redis bytes
 * (bench: session-storage). Entries written before (JSON objects) are read as they are.
 */
import type { TranscriptEntry } from '../session/session-types.ts';

type Compact = [TranscriptEntry['kind'], string, string, string, number, TranscriptEntry['stage'], number, (string | 0)?, string[]?];

export function encodeEntry(entry: TranscriptEntry): string {
  const compact: Compact = [entry.kind, entry.speakerId, entry.speakerName, entry.text, entry.at, entry.stage, entry.round];
  if (entry.images?.length) compact.push(entry.role ?? 0, entry.images);
  else if (entry.role !== undefined) compact.push(entry.role);
  return JSON.stringify(compact);
}

export function decodeEntry(raw: string): TranscriptEntry {
  const value = JSON.parse(raw) as Compact | TranscriptEntry;
  if (!Array.isArray(value)) return value;
  const [kind, speakerId, speakerName, text, at, stage, round, role, images] = value;
  return { kind, speakerId, speakerName, text, at, stage, round, ...(typeof role === 'string' ? { role } : {}), ...(images ? { images } : {}) };
}
