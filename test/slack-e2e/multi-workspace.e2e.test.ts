/**
 * Slack in many workspaces, end to end: real Bolt with the OAuth settings, the real app, real
 * Redis and BullMQ, against the emulator serving two workspaces and Slack's OAuth v2 endpoints.
 * The app is installed into both through /slack/install → Slack's authorize page → /slack/oauth_redirect
 * (a redirect with a forged, a missing or a cookie-less state is refused and stores nothing); a
 * mention in each workspace runs a session whose posts all go with that workspace's token; the
 * stored installations hold no token in the clear; one workspace removes the app: its
 * installation is deleted, its session is ended with its summary and transcript kept and nothing
 * posted there, and the other workspace's session goes on. Then, with a gateway and a separate
 * worker process, the worker posts each workspace's session with that workspace's token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { configToEnv } from '../harness/config-env.ts';
import { startE2E, until, type E2EHarness } from './slack-e2e-harness.ts';
import type { Workspace } from '../slack-emulator/workspace.ts';
import type { EmulatedUser } from '../slack-emulator/workspace.ts';
import { RedisKeys } from '../../src/store/keys.ts';

let harness: E2EHarness | undefined;
let worker: ChildProcess | undefined;
afterEach(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  worker = undefined;
  await harness?.stop();
  harness = undefined;
});

const stateCookieName = 'slack-app-oauth-state';

/** A browser at /slack/install: the state cookie it is given, and the "Add to Slack" link. */
async function openInstallPage(botBaseUrl: string): Promise<{ cookie: string; authorizeUrl: string }> {
  const response = await fetch(`${botBaseUrl}/slack/install`);
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie.startsWith(`${stateCookieName}=`)).toBe(true);
  const authorizeUrl = /<a href="([^"]+)"/.exec(await response.text())?.[1] ?? '';
  return { cookie, authorizeUrl };
}

/** Back at the app with Slack's redirect, as the browser that opened the install page (or another). */
async function followRedirect(location: string, cookie: string | undefined): Promise<{ status: number; body: string }> {
  const response = await fetch(location, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: response.status, body: await response.text() };
}

async function install(h: E2EHarness, workspace: Workspace, admin: EmulatedUser): Promise<void> {
  const { cookie, authorizeUrl } = await openInstallPage(h.botBaseUrl);
  const allowed = await h.emulator.approveInstall(authorizeUrl, workspace, admin);
  expect(allowed.status).toBe(302);
  const back = await followRedirect(allowed.location ?? '', cookie);
  expect(back.status).toBe(200);
  expect(back.body).toContain('Thank you!');
}

/** The emulator's first workspace and a second one, each with an admin and a channel. */
function twoWorkspaces(h: E2EHarness) {
  const { emulator } = h;
  const lamps = emulator.workspaces[0]!;
  const kettles = emulator.addWorkspace('Kettle Makers');
  return {
    lamps,
    kettles,
    ada: emulator.addUser('ada', { isAdmin: true, workspace: lamps }),
    ben: emulator.addUser('ben', { isAdmin: true, workspace: kettles }),
    lampChannel: emulator.addChannel('lamps', lamps),
    kettleChannel: emulator.addChannel('kettles', kettles),
  };
}

/** A session in each workspace, run to its first persona posts (each thread has some). */
async function sessionInEach(h: E2EHarness, { ada, ben, lampChannel, kettleChannel }: ReturnType<typeof twoWorkspaces>) {
  const { emulator } = h;
  const lampMention = await emulator.userMentions(ada, lampChannel.id, 'A paper lamp for a small room');
  const kettleMention = await emulator.userMentions(ben, kettleChannel.id, 'A kettle that pours without dripping');
  const lampSession = h.sessionIdFor(lampChannel.id, lampMention.ts);
  const kettleSession = h.sessionIdFor(kettleChannel.id, kettleMention.ts);
  await Promise.all([h.settled(lampSession), h.settled(kettleSession)]);
  const personaPosts = (channel: string, ts: string) => emulator.thread(channel, ts).filter((message) => message.username !== undefined);
  expect(personaPosts(lampChannel.id, lampMention.ts).length).toBeGreaterThan(0);
  expect(personaPosts(kettleChannel.id, kettleMention.ts).length).toBeGreaterThan(0);
  return { lampMention, kettleMention, lampSession, kettleSession, personaPosts };
}

const installationKey = (h: E2EHarness, team: string) => new RedisKeys(h.prefix).slackInstallation(team);

describe('Slack in many workspaces (OAuth installs)', () => {
  it('installs into two workspaces, runs a session in each with its own token, and ends one workspace’s session when it removes the app', async () => {
    harness = await startE2E({ oauth: true });
    const h = harness;
    const { emulator, app } = h;
    const workspaces = twoWorkspaces(h);
    const { lamps, kettles, ada, ben, lampChannel, kettleChannel } = workspaces;

    // The install page hands out a signed state and links to Slack's authorize page with the scopes.
    const page = await openInstallPage(h.botBaseUrl);
    const authorize = new URL(page.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(emulator.authorizeUrl);
    expect(authorize.searchParams.get('client_id')).toBe(emulator.oauthApp.clientId);
    expect(authorize.searchParams.get('scope')?.split(',')).toEqual(expect.arrayContaining(['app_mentions:read', 'chat:write', 'chat:write.customize', 'commands']));
    const state = authorize.searchParams.get('state') ?? '';
    expect(page.cookie).toBe(`${stateCookieName}=${state}`);

    // Refused: a forged state (signed with another secret), no state at all, and a state without
    // the browser's cookie. None of them stores an installation.
    const allowed = await emulator.approveInstall(page.authorizeUrl, kettles, ben);
    const redirect = new URL(allowed.location ?? '');
    const forged = new URL(redirect);
    forged.searchParams.set('state', `${state.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`);
    const forgedBack = await followRedirect(forged.toString(), `${stateCookieName}=${forged.searchParams.get('state')}`);
    expect(forgedBack.status).toBe(400);
    expect(forgedBack.body).toContain('slack_oauth_invalid_state');
    const stateless = new URL(redirect);
    stateless.searchParams.delete('state');
    expect((await followRedirect(stateless.toString(), page.cookie)).status).toBe(400);
    expect((await followRedirect(redirect.toString(), undefined)).status).toBe(400);
    expect(await app.redis.exists(installationKey(h, kettles.teamId))).toBe(0);
    expect(emulator.calls('oauth.v2.access')).toHaveLength(0);

    // Installed into both workspaces through the whole flow.
    await install(h, lamps, ada);
    await install(h, kettles, ben);
    const lampToken = emulator.botTokenOf(lamps)!;
    const kettleToken = emulator.botTokenOf(kettles)!;
    expect(lampToken).toMatch(/^xoxb-/);
    expect(kettleToken).not.toBe(lampToken);
    expect(emulator.calls('oauth.v2.access').map((call) => call.ok)).toEqual([true, true]);

    // At rest: sealed, no token, not even the team's name in the clear.
    for (const [workspace, token] of [
      [lamps, lampToken],
      [kettles, kettleToken],
    ] as const) {
      const stored = await app.redis.getBuffer(installationKey(h, workspace.teamId));
      expect(stored).not.toBeNull();
      expect(stored!.includes(Buffer.from(token))).toBe(false);
      expect(stored!.includes(Buffer.from('xoxb-'))).toBe(false);
      expect(stored!.includes(Buffer.from(workspace.teamName))).toBe(false);
    }

    // A session in each workspace, to its first persona posts.
    const { lampMention, kettleMention, lampSession, kettleSession, personaPosts } = await sessionInEach(h, workspaces);
    expect([...lampMention.deliveries, ...kettleMention.deliveries].every((delivery) => delivery.status === 200)).toBe(true);
    // Each session belongs to its own workspace (its community), and every write into a channel
    // went with that channel's workspace token.
    const writes = emulator.calls().filter((call) => typeof call.args.channel === 'string' || typeof call.args.channel_id === 'string');
    for (const call of writes) {
      const channel = String(call.args.channel ?? call.args.channel_id);
      if (channel === lampChannel.id) expect(call.team, call.method).toBe(lamps.teamId);
      if (channel === kettleChannel.id) expect(call.team, call.method).toBe(kettles.teamId);
    }
    expect(writes.some((call) => call.method === 'chat.postMessage' && call.team === lamps.teamId)).toBe(true);
    expect(writes.some((call) => call.method === 'chat.postMessage' && call.team === kettles.teamId)).toBe(true);
    expect(emulator.calls().filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);

    // The lamp workspace removes the app.
    const lampThreadBefore = emulator.thread(lampChannel.id, lampMention.ts).length;
    const uninstalledAt = Date.now();
    const removal = await emulator.uninstallApp(lamps);
    expect(removal.map((delivery) => delivery.status)).toEqual([200, 200]);
    await until(async () => (await app.redis.exists(installationKey(h, lamps.teamId))) === 0, 'the lamp installation deleted');
    const ended = await until(async () => {
      const status = await app.roundtable.status(lampSession);
      return status?.ended ? status : undefined;
    }, 'the lamp session ended', 30_000);
    expect(ended.stage).toBe('ended');
    // Ended as /end ends a session: the closing summary made and the transcript kept.
    const notes = await app.store.notes(lampSession);
    expect(notes['moderator:summary']).toContain('Keep the handle soft');
    const transcript = await app.store.transcript(lampSession);
    expect(transcript.some((entry) => entry.kind === 'persona')).toBe(true);
    expect(transcript.at(-1)?.stage).toBe('closing');
    // Nothing was posted into the workspace that removed the app, and nothing was tried with its revoked token.
    expect(emulator.thread(lampChannel.id, lampMention.ts)).toHaveLength(lampThreadBefore);
    expect(emulator.calls().filter((call) => call.at >= uninstalledAt && !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);
    // A mention there reaches nobody: Slack no longer sends the app its events.
    expect((await emulator.userMentions(ada, lampChannel.id, 'still there?')).deliveries).toEqual([]);

    // The kettle workspace is untouched: installed, and its session answers a person.
    expect(await app.redis.exists(installationKey(h, kettles.teamId))).toBe(1);
    expect((await app.roundtable.status(kettleSession))?.ended).toBe(false);
    const reply = await emulator.userReplies(ben, kettleChannel.id, kettleMention.ts, 'What about the spout for a left-handed pour?');
    await emulator.waitFor(() => personaPosts(kettleChannel.id, kettleMention.ts).some((message) => Number(message.ts) > Number(reply.ts)), { timeoutMs: 20_000, message: 'a persona answer in the kettle workspace' });
    await h.settled(kettleSession);
    expect(emulator.rateLimitHits).toEqual([]);
  }, 90_000);

  it('a worker process (no Bolt, no events) posts each workspace’s session with that workspace’s token', async () => {
    // The gateway takes the installs and the events and runs no steps; the worker finds each
    // channel's workspace and its installation in Redis.
    harness = await startE2E({ oauth: true, role: 'gateway' });
    const h = harness;
    const { emulator } = h;
    const workspaces = twoWorkspaces(h);
    const { lamps, kettles, ada, ben, lampChannel } = workspaces;
    await install(h, lamps, ada);
    await install(h, kettles, ben);

    const started = spawn(process.execPath, ['--import', 'tsx', 'test/harness/slack-worker-process.ts'], { env: { ...process.env, ...configToEnv(h.config), ROLE: 'worker', LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'inherit'] });
    worker = started;
    await new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve());
      started.once('exit', (code) => reject(new Error(`the worker exited (${code})`)));
    });

    await sessionInEach(h, workspaces);
    const posts = emulator.calls('chat.postMessage').filter((call) => call.args.username !== undefined);
    for (const call of posts) {
      const channel = String(call.args.channel);
      expect(call.team, channel).toBe(channel === lampChannel.id ? lamps.teamId : kettles.teamId);
    }
    expect(new Set(posts.map((call) => call.team))).toEqual(new Set([lamps.teamId, kettles.teamId]));
    expect(emulator.calls().filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);
  }, 90_000);
});
