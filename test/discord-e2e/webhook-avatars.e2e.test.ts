/**
 * Persona pictures without PUBLIC_BASE_URL: Discord hosts them. Each persona's picture becomes a
 * webhook's own avatar, and the shared webhook's posts carry that avatar's CDN URL; a second
 * session (and another channel) reuse the hosted copies instead of creating webhooks again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startE2E, type E2E } from './e2e-harness.ts';
import type { MessageRecord } from '../discord-emulator/discord-emulator.ts';

describe('Discord end to end: persona pictures hosted by Discord', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  async function introductions(channelId: string, topic: string): Promise<MessageRecord[]> {
    const { emulator } = e2e;
    const before = new Set(emulator.threadsOf(channelId).map((thread) => thread.id));
    emulator.userSendsMessage(channelId, emulator.addMember(`person-${before.size}-${channelId.slice(-4)}`), `<@${emulator.botUser.id}> ${topic}`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(channelId).find((candidate) => !before.has(candidate.id)), 10_000, 'the session thread');
    const personaPosts = () => emulator.messagesIn(thread.id).filter((message) => message.webhookUsername !== undefined);
    return emulator.waitFor(() => (personaPosts().length >= 2 ? personaPosts() : undefined), 20_000, 'two introductions');
  }

  const webhooksIn = (channelId: string) => [...e2e.emulator.state.webhooks.values()].filter((webhook) => webhook.channelId === channelId);

  it('gives each persona its own picture, served by the CDN, and reuses the hosting webhooks', async () => {
    const { emulator, app } = e2e;
    expect(app.config.PUBLIC_BASE_URL).toBeUndefined();
    const channel = emulator.addTextChannel('pictures');
    const first = await introductions(channel.id, 'A lamp for reading in bed');
    const pictureOf = new Map(first.map((message) => [message.webhookUsername, message.avatarUrl]));
    expect(pictureOf.size).toBe(2);
    const urls = [...pictureOf.values()];
    expect(new Set(urls).size).toBe(2);
    for (const url of urls) {
      expect(url).toMatch(new RegExp(`^${emulator.cdnUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/avatars/\\d+/[0-9a-f]{32}\\.png$`));
      const served = await fetch(url ?? '');
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/png');
      const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      expect(metadata.format).toBe('png');
      expect(metadata.width).toBe(metadata.height);
      expect(metadata.width).toBeLessThanOrEqual(256);
    }
    // The shared persona webhook and one hosting webhook per picture, none of which ever posted.
    const webhooks = webhooksIn(channel.id);
    expect(webhooks).toHaveLength(3);
    const hosting = webhooks.filter((webhook) => webhook.avatar !== null);
    expect(hosting).toHaveLength(2);
    const postedBy = new Set(emulator.messagesIn(first[0]?.channelId ?? '').map((message) => message.json.webhook_id));
    for (const webhook of hosting) expect(postedBy.has(webhook.id)).toBe(false);

    // A second session in the same channel: same pictures, no new webhook.
    const created = emulator.stats.requests.filter((request) => request.method === 'POST' && /^\/channels\/\d+\/webhooks$/.test(request.path)).length;
    const second = await introductions(channel.id, 'A stool for small balconies');
    for (const message of second) expect(message.avatarUrl).toBe(pictureOf.get(message.webhookUsername));
    expect(webhooksIn(channel.id)).toHaveLength(3);

    // Another channel needs its own shared webhook, but the pictures are already hosted.
    const elsewhere = emulator.addTextChannel('pictures-elsewhere');
    const third = await introductions(elsewhere.id, 'A kettle for camping');
    for (const message of third) expect(message.avatarUrl).toBe(pictureOf.get(message.webhookUsername));
    expect(webhooksIn(elsewhere.id)).toHaveLength(1);
    expect(emulator.stats.requests.filter((request) => request.method === 'POST' && /^\/channels\/\d+\/webhooks$/.test(request.path)).length).toBe(created + 1);
    expect(emulator.rateLimitHits).toBe(0);
  }, 90_000);
});
