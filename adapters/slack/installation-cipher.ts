/**
 * Installations at rest: AES-256-GCM under SLACK_INSTALLATION_KEY (32 bytes), a fresh random
 * 12-byte IV per record, and the record's Redis key as additional authenticated data — so a record
 * copied under another workspace's key, or with one byte changed, fails to open instead of handing
 * one workspace's token to another. Sealed form: `v1.` + base64(iv ‖ tag ‖ ciphertext).
 *
 * Hazard: the plaintext is a bot token. `open` throws a coded error that names the key, never the
 * bytes; callers must not log what it returns.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TableRoundError } from '../../src/errors.ts';

const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;
const version = 'v1.';

export class InstallationCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new TableRoundError('config_invalid', 'SLACK_INSTALLATION_KEY must be 32 bytes');
  }

  /** Encrypts `plaintext` bound to `context` (the record's key). */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv(algorithm, this.key, iv, { authTagLength: tagBytes });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return version + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts what `seal` made for the same `context`; throws when the key, context or bytes differ. */
  open(sealed: string, context: string): string {
    const bytes = sealed.startsWith(version) ? Buffer.from(sealed.slice(version.length), 'base64') : Buffer.alloc(0);
    if (bytes.length < ivBytes + tagBytes) throw new TableRoundError('internal', `installation record ${context} is not in the sealed form`);
    try {
      const decipher = createDecipheriv(algorithm, this.key, bytes.subarray(0, ivBytes), { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
      return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new TableRoundError('internal', `installation record ${context} did not decrypt (another SLACK_INSTALLATION_KEY, or altered bytes)`, { cause: error });
    }
  }
}
