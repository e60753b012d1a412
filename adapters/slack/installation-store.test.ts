/**
 * The Redis installation store on real Redis: an installation goes in and comes out whole, the
 * stored bytes hold no token, and a record does not open under another key, with one byte
 * changed, or copied under another workspace's key.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Installation } from '@slack/bolt';
import { RedisKeys } from '../../src/store/keys.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { InstallationCipher } from './installation-cipher.ts';
import { RedisInstallationStore } from './installation-store.ts';

const redis = testRedis();
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteKeys(redis, prefix);
});
afterAll(() => redis.disconnect());

function installationFor(team: string, token: string): Installation<'v2', false> {
  return {
    team: { id: team, name: 'Paper Lamps' },
    enterprise: undefined,
    user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
    bot: { token, scopes: ['chat:write', 'commands'], id: 'B0BOT', userId: 'U0BOT' },
    appId: 'A0APP',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}

function storeWith(key: Buffer) {
  const prefix = uniqueName('slkinst');
  prefixes.push(prefix);
  return { store: new RedisInstallationStore(redis, new RedisKeys(prefix), new InstallationCipher(key)), prefix };
}

const query = (team: string) => ({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false as const });

describe('RedisInstallationStore', () => {
  it('returns what it stored, keeps no token in the clear, and deletes it', async () => {
    const { store } = storeWith(randomBytes(32));
    const token = `xoxb-${randomBytes(8).toString('hex')}-${randomBytes(12).toString('hex')}`;
    await store.storeInstallation(installationFor('T0LAMPS', token));

    expect(await store.fetchInstallation(query('T0LAMPS'))).toEqual(installationFor('T0LAMPS', token));
    const stored = (await redis.getBuffer(store.keyOf('T0LAMPS')))!;
    expect(stored.includes(Buffer.from(token))).toBe(false);
    expect(stored.includes(Buffer.from('xoxb-'))).toBe(false);
    expect(stored.includes(Buffer.from('T0LAMPS'))).toBe(false);

    // Another workspace: nothing there.
    expect(await store.find(query('T0OTHER'))).toBeUndefined();
    await expect(store.fetchInstallation(query('T0OTHER'))).rejects.toMatchObject({ code: 'platform_failed' });

    await store.deleteInstallation(query('T0LAMPS'));
    expect(await store.find(query('T0LAMPS'))).toBeUndefined();
  });

  it('seals each record with a fresh IV: the same installation twice is two different ciphertexts', async () => {
    const { store } = storeWith(randomBytes(32));
    const installation = installationFor('T0LAMPS', 'xoxb-same-token-twice-000000');
    await store.storeInstallation(installation);
    const first = await redis.get(store.keyOf('T0LAMPS'));
    await store.storeInstallation(installation);
    expect(await redis.get(store.keyOf('T0LAMPS'))).not.toBe(first);
  });

  it('refuses a record under another key, with a changed byte, or moved to another workspace', async () => {
    const key = randomBytes(32);
    const { store, prefix } = storeWith(key);
    await store.storeInstallation(installationFor('T0LAMPS', 'xoxb-lamps-0000000000000000'));
    const sealed = (await redis.get(store.keyOf('T0LAMPS')))!;

    // The wrong SLACK_INSTALLATION_KEY.
    const otherKey = new RedisInstallationStore(redis, new RedisKeys(prefix), new InstallationCipher(randomBytes(32)));
    await expect(otherKey.find(query('T0LAMPS'))).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('did not decrypt') });

    // One byte of the ciphertext changed (past the version prefix, the IV and the tag).
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    await redis.set(store.keyOf('T0LAMPS'), `v1.${bytes.toString('base64')}`);
    await expect(store.find(query('T0LAMPS'))).rejects.toMatchObject({ message: expect.stringContaining('did not decrypt') });

    // The intact record copied under another workspace's key: bound to its own key, it does not open.
    await redis.set(store.keyOf('T0THIEF'), sealed);
    await expect(store.find(query('T0THIEF'))).rejects.toMatchObject({ message: expect.stringContaining('did not decrypt') });

    // Not sealed at all (plain JSON written by someone else).
    await redis.set(store.keyOf('T0PLAIN'), JSON.stringify(installationFor('T0PLAIN', 'xoxb-plain-000000000000')));
    await expect(store.find(query('T0PLAIN'))).rejects.toMatchObject({ message: expect.stringContaining('not in the sealed form') });
  });
});
