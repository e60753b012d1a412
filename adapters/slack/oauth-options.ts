/**
 * Slack in many workspaces: the options that give Bolt's receiver its OAuth install flow —
 * `GET /slack/install` (the "Add to Slack" page, with a `state` signed with SLACK_STATE_SECRET and
 * set as a cookie of the person's browser) → Slack's authorize page → `GET /slack/oauth_redirect`
 * (the state checked against the signature, its age and the cookie; `oauth.v2.access` exchanges
 * the code; the installation stored in Redis, encrypted). Register
 * `https://<your host>/slack/oauth_redirect` as the app's Redirect URL.
 *
 * The authorize page is Slack's own, next to the configured Web API: `https://slack.com/api/` →
 * `https://slack.com/oauth/v2/authorize`, so SLACK_API_URL points the whole flow at a stand-in.
 */
import type { HTTPReceiverOptions, InstallationStore } from '@slack/bolt';
import type { Config } from '../../src/config/config-schema.ts';
import { installationKeyBytes } from '../../src/config/config-schema.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { slackApiUrl, webClientOptions } from './web-client.ts';

/** The bot scopes the install asks for: the manifest's (slack-app-manifest.test.ts checks they agree). */
export const botScopes = ['app_mentions:read', 'channels:history', 'groups:history', 'chat:write', 'chat:write.customize', 'chat:write.public', 'files:read', 'files:write', 'commands', 'users:read', 'usergroups:read'] as const;

export const installPath = '/slack/install';
export const redirectPath = '/slack/oauth_redirect';

/** Slack's authorize page for the configured Web API. */
export function authorizationUrl(config: Pick<Config, 'SLACK_API_URL'>): string {
  return new URL('../oauth/v2/authorize', slackApiUrl(config)).toString();
}

/** SLACK_INSTALLATION_KEY as its 32 bytes (config validation has checked it). */
export function installationKey(config: Pick<Config, 'SLACK_INSTALLATION_KEY'>): Buffer {
  const key = config.SLACK_INSTALLATION_KEY === undefined ? undefined : installationKeyBytes(config.SLACK_INSTALLATION_KEY);
  if (!key) throw new TableRoundError('config_invalid', 'SLACK_INSTALLATION_KEY: 32 bytes (base64 or hex) are needed for Slack in many workspaces');
  return key;
}

export type OAuthReceiverOptions = Required<Pick<HTTPReceiverOptions, 'clientId' | 'clientSecret' | 'stateSecret' | 'scopes' | 'installationStore' | 'installerOptions'>>;

/** The receiver's OAuth options (HTTP and Socket Mode receivers take the same ones). */
export function oauthReceiverOptions(config: Config, logger: Logger, installationStore: InstallationStore): OAuthReceiverOptions {
  const { SLACK_CLIENT_ID: clientId, SLACK_CLIENT_SECRET: clientSecret, SLACK_STATE_SECRET: stateSecret } = config;
  if (!clientId || !clientSecret || !stateSecret) throw new TableRoundError('config_invalid', 'SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are needed for Slack in many workspaces');
  return {
    clientId,
    clientSecret,
    stateSecret,
    scopes: [...botScopes],
    installationStore,
    installerOptions: {
      installPath,
      redirectUriPath: redirectPath,
      authorizationUrl: authorizationUrl(config),
      // oauth.v2.access and auth.test go to the configured Web API, with our timeouts and logger.
      clientOptions: webClientOptions(config, logger),
      // The state is checked: signed, at most 10 minutes old, and the cookie set by /slack/install.
      stateVerification: true,
      port: config.SLACK_PORT,
    },
  };
}
