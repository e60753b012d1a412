/**
 * Bolt's `InstallationStore` in Redis: one record per workspace (per enterprise for an org-wide
 * install), sealed with AES-256-GCM (installation-cipher.ts), under
 * `{prefix}:slack-install:{team or enterprise id}`. Written by the OAuth callback
 * (`/slack/oauth_redirect`), read by Bolt's authorize for every incoming request and by
 * every process that posts (installed-workspaces.ts), deleted on `app_uninstalled` /
 * `tokens_revoked`.
 *
 * Records carry no TTL: an installation is configuration, kept until the workspace removes the
 * app; the set is bounded by the workspaces that installed it. One key per command: safe on a
 * Redis Cluster.
 */
import type { RedisClient } from '../../src/store/redis-connection.ts';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { RedisKeys } from '../../src/store/keys.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { InstallationCipher } from './installation-cipher.ts';

/** Which record a query (or an installation) belongs to: the enterprise for org-wide installs, else the team. */
export function installationId(query: { isEnterpriseInstall?: boolean; enterpriseId?: string | undefined; teamId?: string | undefined }): string {
  const id = query.isEnterpriseInstall && query.enterpriseId ? query.enterpriseId : query.teamId;
  if (!id) throw new TableRoundError('platform_failed', 'a Slack installation query names neither a team nor an enterprise');
  return id;
}

export class RedisInstallationStore implements InstallationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: InstallationCipher,
  ) {}

  /** The record's Redis key; also the cipher's authenticated context. */
  keyOf(id: string): string {
    return this.keys.slackInstallation(id);
  }

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(installation: Installation<AuthVersion, boolean>): Promise<void> {
    const id = installationId({ isEnterpriseInstall: installation.isEnterpriseInstall ?? false, enterpriseId: installation.enterprise?.id, teamId: installation.team?.id });
    const key = this.keyOf(id);
    await this.redis.set(key, this.cipher.seal(JSON.stringify(installation), key));
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const installation = await this.find(query);
    if (!installation) throw new TableRoundError('platform_failed', `no Slack installation for ${installationId(query)}`);
    return installation;
  }

  /** The installation, or undefined when the app is not (or no longer) installed there. */
  async find(query: Pick<InstallationQuery<boolean>, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'>): Promise<Installation<'v1' | 'v2', boolean> | undefined> {
    const key = this.keyOf(installationId(query));
    const sealed = await this.redis.get(key);
    if (sealed === null) return undefined;
    return JSON.parse(this.cipher.open(sealed, key)) as Installation<'v1' | 'v2', boolean>;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.redis.del(this.keyOf(installationId(query)));
  }
}
