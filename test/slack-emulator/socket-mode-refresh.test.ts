/**
 * Slack recycles Socket Mode connections: it sends `{"type":"disconnect","reason":"refresh_requested"}`
 * and closes the connection ~10 s later. What the installed @slack/socket-mode (through a bare
 * Bolt app) does then, measured against the emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.ts';

let emulator: SlackEmulator | undefined;
let app: App | undefined;

afterEach(async () => {
  await app?.stop().catch(() => undefined);
  app = undefined;
  await emulator?.stop();
  emulator = undefined;
});

/**
 * @slack/socket-mode 3.1.0 (the newest on the registry, 2026-12) closes the connection on
 * `disconnect` and only then reconnects, after `clientPingTimeout` (5 s by default) × the number of
 * consecutive reconnects. A release that reconnects at once should bring this under a second.
 */
const reconnectBoundMs = 8_000;

async function socketModeApp(): Promise<{ live: SlackEmulator; mentions: string[] }> {
  const live = await startSlackEmulator({ transport: 'socket', retryDelaysMs: [0, 50, 50] });
  emulator = live;
  const clientOptions = { slackApiUrl: live.apiUrl };
  const mentions: string[] = [];
  app = new App({ token: live.botToken, appToken: live.appToken, socketMode: true, clientOptions, installerOptions: { clientOptions }, logLevel: LogLevel.ERROR });
  app.event('app_mention', async ({ event }) => {
    mentions.push(event.text);
  });
  await app.start();
  await live.waitFor(() => live.server.calls.some((call) => call.method === 'apps.connections.open'));
  return { live, mentions };
}

describe('Socket Mode refresh_requested (bare Bolt app)', () => {
  it('reconnects after a refresh_requested disconnect and takes events on the new connection', async () => {
    const { live, mentions } = await socketModeApp();
    const { socket } = live;
    await live.waitFor(() => socket.connectionsAccepted.length === 1);
    const channel = live.addChannel('general');
    const ada = live.addUser('ada');

    const askedAt = Date.now();
    expect(socket.requestRefresh({ closeAfterMs: 10_000 })).toBe(1);
    await live.waitFor(() => socket.connectionsAccepted.length === 2, { timeoutMs: reconnectBoundMs, message: 'a new connection after refresh_requested' });
    const gapMs = (socket.connectionsAccepted[1] ?? 0) - askedAt;
    console.info(`socket-mode reconnected ${gapMs} ms after refresh_requested`);
    expect(live.calls('apps.connections.open')).toHaveLength(2);

    const posted = await live.userMentions(ada, channel.id, 'after the refresh');
    expect(posted.deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    await live.waitFor(() => mentions.some((text) => text.endsWith('after the refresh')));
  });

  // A tripwire, not a wish: it passes while the installed client waits ~5 s before reconnecting
  // (3.1.0). When a release that reconnects at once is installed it fails — then make it an `it`.
  it.fails('reconnects within a second of refresh_requested (not yet: @slack/socket-mode 3.1.0 waits clientPingTimeout)', async () => {
    const { live } = await socketModeApp();
    const { socket } = live;
    await live.waitFor(() => socket.connectionsAccepted.length === 1);
    socket.requestRefresh({ closeAfterMs: 10_000 });
    await live.waitFor(() => socket.connectionsAccepted.length === 2, { timeoutMs: 1_000, message: 'a new connection within 1 s of refresh_requested' });
  });
});
