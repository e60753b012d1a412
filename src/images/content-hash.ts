import { createHash } from 'node:crypto';

/** SHA-256 of `bytes` as 64 lowercase hex characters. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A short content hash for URLs and cache keys (first `length` hex characters of the SHA-256).
 * 16 hex characters = 64 bits: collisions are not a concern for avatars and charts.
 */
export function shortContentHash(bytes: Uint8Array, length = 16): string {
  return sha256Hex(bytes).slice(0, length);
}
