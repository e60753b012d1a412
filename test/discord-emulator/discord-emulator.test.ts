import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, GatewayIntentBits, Events, REST, Routes, DiscordAPIError, type Message, type Interaction, ButtonStyle, ComponentType } from 'discord.js';
import { DiscordEmulator } from './discord-emulator.ts';

describe('Discord emulator with a raw discord.js Client', () => {
  let emulator: DiscordEmulator;
  let client: Client;

  beforeAll(async () => {
    emulator = await DiscordEmulator.start({ limits: { webhook: { limit: 5, windowMs: 1_000 } } });
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: emulator.apiUrl, cdn: emulator.cdnUrl },
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(emulator.token);
    await ready;
  });

  afterAll(async () => {
    await client.destroy();
    await emulator.close();
  });

  it('connects through GET /gateway/bot, READY and GUILD_CREATE', () => {
    expect(client.user?.id).toBe(emulator.botUser.id);
    expect(client.application?.id).toBe(emulator.applicationId);
    const guild = client.guilds.cache.get(emulator.guildId);
    expect(guild?.channels.cache.get(emulator.channelId)?.name).toBe('general');
    expect(guild?.members.me?.permissions.has('ManageWebhooks')).toBe(true);
  });

  it('dispatches a person message with attachments served from its CDN', async () => {
    const person = emulator.addMember('alice');
    const received = new Promise<Message>((resolve) => client.once(Events.MessageCreate, resolve));
    emulator.userSendsMessage(emulator.channelId, person, `<@${emulator.botUser.id}> hello`, [
      { filename: 'a.png', contentType: 'image/png', bytes: Buffer.from('png-bytes') },
    ]);
    const message = await received;
    expect(message.content).toContain('hello');
    expect(message.mentions.users.has(emulator.botUser.id)).toBe(true);
    const attachment = message.attachments.first();
    expect(attachment?.size).toBe(9);
    expect(attachment?.contentType).toBe('image/png');
    const downloaded = await fetch(attachment?.url ?? '');
    expect(Buffer.from(await downloaded.arrayBuffer()).toString()).toBe('png-bytes');
  });

  it('creates threads, runs webhooks with username / thread_id, edits them and keeps allowed_mentions', async () => {
    const channel = client.channels.cache.get(emulator.channelId);
    if (!channel?.isTextBased() || channel.isThread() || channel.isDMBased() || !('threads' in channel)) throw new Error('no text channel');
    const starter = await channel.send({ content: 'topic', allowedMentions: { parse: [] } });
    const thread = await starter.startThread({ name: 'A topic' });
    expect(emulator.channel(thread.id)?.parentId).toBe(emulator.channelId);
    const webhook = await channel.createWebhook({ name: 'TableRound personas' });
    const sent = await webhook.send({ content: 'hi @everyone <@1>', username: 'Craftsman', threadId: thread.id, allowedMentions: { parse: [] } });
    await webhook.editMessage(sent.id, { content: 'edited', threadId: thread.id, allowedMentions: { parse: [] } });
    const stored = emulator.messagesIn(thread.id).find((message) => message.json.id === sent.id);
    expect(stored?.webhookUsername).toBe('Craftsman');
    expect(stored?.json.content).toBe('edited');
    expect(stored?.allowedMentionsHistory).toEqual([{ parse: [] }, { parse: [] }]);
    expect(stored?.pings).toEqual({ everyone: false, users: [], roles: [] });
    await thread.edit({ archived: true, locked: true });
    expect(emulator.channel(thread.id)).toMatchObject({ archived: true, locked: true });
    await expect(webhook.send({ content: 'late', threadId: thread.id })).rejects.toMatchObject({ code: 50083 });
  });

  it('refuses webhook names with "discord" and caps webhooks at 15 per channel (30007)', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const other = emulator.addTextChannel('capped');
    await expect(rest.post(Routes.channelWebhooks(other.id), { body: { name: 'My Discord hook' } })).rejects.toMatchObject({ code: 50035 });
    for (let index = 0; index < 15; index += 1) await rest.post(Routes.channelWebhooks(other.id), { body: { name: `hook ${index}` } });
    const error = await rest.post(Routes.channelWebhooks(other.id), { body: { name: 'one too many' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(30007);
  });

  it('answers the percent-encoded /users/%40me with 500, as servers that do not decode paths do', async () => {
    const headers = { authorization: `Bot ${emulator.token}` };
    expect((await fetch(`${emulator.apiUrl}/v10/users/%40me`, { headers })).status).toBe(500);
    expect((await fetch(`${emulator.apiUrl}/v10/applications/%40me`, { headers })).status).toBe(500);
    expect(((await (await fetch(`${emulator.apiUrl}/v10/users/@me`, { headers })).json()) as { id: string }).id).toBe(emulator.botUser.id);
    expect(((await (await fetch(`${emulator.apiUrl}/v10/applications/@me`, { headers })).json()) as { id: string }).id).toBe(emulator.applicationId);
  });

  it('answers missing permissions with 50013', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const locked = emulator.addTextChannel('locked');
    emulator.denyBotPermissions(locked.id, 'ManageWebhooks');
    await expect(rest.post(Routes.channelWebhooks(locked.id), { body: { name: 'x' } })).rejects.toMatchObject({ code: 50013, status: 403 });
  });

  it('enforces webhook rate limits with real headers and counts 429s', async () => {
    const rawResponses: Response[] = [];
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const channel = emulator.addTextChannel('limits');
    const webhook = (await rest.post(Routes.channelWebhooks(channel.id), { body: { name: 'pacer' } })) as { id: string; token: string };
    const before = emulator.rateLimitHits;
    for (let index = 0; index < 6; index += 1) {
      rawResponses.push(
        await fetch(`${emulator.apiUrl}/v10/webhooks/${webhook.id}/${webhook.token}?wait=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content: `n${index}`, allowed_mentions: { parse: [] } }),
        }),
      );
    }
    const first = rawResponses[0];
    expect(first?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(first?.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(first?.headers.get('x-ratelimit-bucket')).toBeTruthy();
    const limited = rawResponses[5];
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get('x-ratelimit-scope')).toBe('user');
    const body = (await limited?.json()) as { retry_after: number };
    expect(body.retry_after).toBeGreaterThan(0);
    expect(emulator.rateLimitHits).toBe(before + 1);
    // discord.js itself waits for the bucket to reset rather than failing.
    await rest.post(Routes.webhook(webhook.id, webhook.token), { body: { content: 'after the wait' } });
  });

  it('delivers slash commands and button clicks; accepts callbacks 4/5/7, follow-ups and @original edits', async () => {
    const person = emulator.addMember('bob');
    const next = () => new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
    let arriving = next();
    const command = emulator.userRunsCommand(emulator.channelId, person, 'status', { topic: 'x' });
    const commandInteraction = await arriving;
    if (!commandInteraction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(commandInteraction.options.getString('topic')).toBe('x');
    await commandInteraction.deferReply({ flags: 64 });
    await commandInteraction.editReply({ content: 'deferred answer' });
    await commandInteraction.followUp({ content: 'public follow-up', allowedMentions: { parse: [] } });
    const produced = emulator.interactionMessages(command.id);
    expect(produced.map((message) => [message.json.content, message.ephemeral])).toEqual([
      ['deferred answer', true],
      ['public follow-up', false],
    ]);
    expect(emulator.interaction(command.id)?.callbacks.map((callback) => callback.type)).toEqual([5]);

    const channel = client.channels.cache.get(emulator.channelId);
    if (!channel?.isSendable()) throw new Error('not sendable');
    const poll = await channel.send({
      content: 'vote',
      components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: 'b:1', label: 'one' }] }],
    });
    arriving = next();
    const click = emulator.userClicksButton(emulator.channelId, poll.id, person, 'b:1');
    const button = await arriving;
    if (!button.isButton()) throw new Error('expected a button');
    expect(button.customId).toBe('b:1');
    await button.update({ content: 'vote (1)' });
    expect(emulator.messagesIn(emulator.channelId).find((message) => message.json.id === poll.id)?.json.content).toBe('vote (1)');
    expect(emulator.interaction(click.id)?.callbacks.map((callback) => callback.type)).toEqual([7]);
    await expect(button.reply({ content: 'twice' })).rejects.toBeTruthy();
  });

  it('expires interactions that are not answered within the deadline', async () => {
    const person = emulator.addMember('carol');
    const arriving = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
    emulator.limits.interactionResponseMs = 50;
    emulator.userRunsCommand(emulator.channelId, person, 'status');
    const interaction = await arriving;
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!interaction.isChatInputCommand()) throw new Error('expected a command');
    await expect(interaction.reply({ content: 'too late' })).rejects.toMatchObject({ code: 10062 });
    emulator.limits.interactionResponseMs = 3_000;
  });
});
