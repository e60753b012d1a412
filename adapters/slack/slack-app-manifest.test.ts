/**
 * slack-app-manifest.yml against the code: every file it points to exists, and its bot scopes
 * cover every Web API method this folder calls (a new method fails here until its scope is
 * decided). Scopes per method are Slack's (docs.slack.dev/reference/methods/…).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { botScopes as installScopes, redirectPath } from './oauth-options.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = readFileSync(join(root, 'slack-app-manifest.yml'), 'utf8');

/** Web API method → the bot scopes it needs (any one of a list of alternatives is not modelled: all are needed). */
const scopesByMethod: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.startStream': ['chat:write'],
  'chat.appendStream': ['chat:write'],
  'chat.stopStream': ['chat:write'],
  'assistant.threads.setStatus': ['chat:write'],
  // Session threads live in public and private channels.
  'conversations.replies': ['channels:history', 'groups:history'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  // The Ask dialog: views.open needs no scope, only interactivity (docs.slack.dev/reference/methods/views.open).
  'views.open': [],
};

/** What the bot does besides calling methods, and the scopes that needs. */
const otherNeeds = {
  'posting with a persona username / icon': ['chat:write.customize'],
  'downloading url_private (shared images)': ['files:read'],
  'app_mention events': ['app_mentions:read'],
  'message.channels / message.groups events': ['channels:history', 'groups:history'],
  'the slash command': ['commands'],
};

function botScopes(): string[] {
  const block = /^ {4}bot:\n((?: {6}(?:- .*|#.*)\n)+)/m.exec(manifest)?.[1] ?? '';
  return [...block.matchAll(/^ {6}- ([a-z_.:]+)\s*$/gm)].map((match) => match[1] ?? '');
}

function methodsCalled(): string[] {
  const folder = join(root, 'adapters', 'slack');
  const methods = new Set<string>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
    const source = readFileSync(join(folder, file), 'utf8');
    for (const match of source.matchAll(/\bclient\s*\.\s*([a-z]+)\s*\.\s*([a-zA-Z]+)(?:\s*\.\s*([a-zA-Z]+))?\s*\(/g)) {
      methods.add([match[1], match[2], match[3]].filter(Boolean).join('.'));
    }
  }
  return [...methods].sort();
}

describe('slack-app-manifest.yml', () => {
  it('asks an OAuth install for exactly its scopes, and registers the redirect and the removal events', () => {
    expect([...installScopes].sort()).toEqual(botScopes().sort());
    expect(manifest).toMatch(new RegExp(`redirect_urls:\\n\\s+- https://[^\\s]+${redirectPath}\\n`));
    expect(manifest).toMatch(/^ {6}- app_uninstalled$/m);
    expect(manifest).toMatch(/^ {6}- tokens_revoked$/m);
  });

  it('points only to files that exist', () => {
    const referenced = [...manifest.matchAll(/[\w./-]+\.(?:md|ts|yml)\b/g)].map((match) => match[0]);
    expect(referenced.length).toBeGreaterThan(0);
    for (const path of referenced) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it('asks for every scope the bot uses', () => {
    const called = methodsCalled();
    expect(called).toContain('assistant.threads.setStatus');
    const unknown = called.filter((method) => !(method in scopesByMethod));
    expect(unknown, 'methods called without a scope decided in scopesByMethod').toEqual([]);
    const needed = new Set([...called.flatMap((method) => scopesByMethod[method] ?? []), ...Object.values(otherNeeds).flat()]);
    expect([...needed].filter((scope) => !botScopes().includes(scope))).toEqual([]);
  });
});
