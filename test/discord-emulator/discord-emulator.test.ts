import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, GatewayIntentBits, Events, REST, Routes, DiscordAPIError, MessageType, type APIMessage, type Message, type Interaction, ButtonStyle, ComponentType } from 'discord.js';
import { nextSnowflake } from './snowflake.ts';
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

  it('takes buttons on application-owned webhook posts, delivers replies with referenced_message, and modals (9 → MODAL_SUBMIT)', async () => {
    const rest = new REST({ api: emulator.apiUrl }).setToken(emulator.token);
    const channel = emulator.addTextChannel('asks');
    const thread = emulator.addThread(channel.id, 'asks thread');
    const owned = (await rest.post(Routes.channelWebhooks(channel.id), { body: { name: 'owned' } })) as { id: string; token: string };
    const row = { type: 1, components: [{ type: 2, style: 2, custom_id: 'ask:1', label: 'Ask Bayar' }] };
    const post = (await rest.post(Routes.webhook(owned.id, owned.token), {
      body: { content: 'persona post', username: 'Bayar', components: [row], allowed_mentions: { parse: [] } },
      query: new URLSearchParams({ wait: 'true', thread_id: thread.id }),
      auth: false,
    })) as APIMessage;
    expect(post.application_id).toBe(emulator.applicationId);
    expect(post.components).toEqual([{ type: 1, id: 1, components: [{ type: 2, id: 2, style: 2, custom_id: 'ask:1', label: 'Ask Bayar' }] }]);
    // An edit without components keeps them.
    await rest.patch(Routes.webhookMessage(owned.id, owned.token, post.id), { body: { content: 'persona post, edited', allowed_mentions: { parse: [] } }, query: new URLSearchParams({ thread_id: thread.id }), auth: false });
    expect(emulator.state.messages.get(post.id)?.json.components).toHaveLength(1);

    // A webhook no application owns: components ignored without with_components, interactive ones refused with it.
    const foreign = { id: nextSnowflake(), token: 'foreign-token', channelId: channel.id, guildId: emulator.guildId, name: 'foreign', avatar: null, creatorId: emulator.owner.id, applicationId: null };
    emulator.state.webhooks.set(foreign.id, foreign);
    const ignored = (await rest.post(Routes.webhook(foreign.id, foreign.token), { body: { content: 'x', components: [row] }, query: new URLSearchParams({ wait: 'true' }), auth: false })) as APIMessage;
    expect(ignored.components).toEqual([]);
    await expect(rest.post(Routes.webhook(foreign.id, foreign.token), { body: { content: 'x', components: [row] }, query: new URLSearchParams({ wait: 'true', with_components: 'true' }), auth: false })).rejects.toMatchObject({ code: 50035 });
    await expect(rest.post(Routes.webhook(owned.id, owned.token), { body: { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'no id' }] }] }, query: new URLSearchParams({ wait: 'true' }), auth: false })).rejects.toMatchObject({ code: 50035 });

    // A reply: type 19 with message_reference and the replied-to message, which discord.js caches.
    const person = emulator.addMember('dora');
    const replied = new Promise<Message>((resolve) => {
      const listener = (message: Message) => {
        if (message.content !== 'to you, Bayar') return;
        client.off(Events.MessageCreate, listener);
        resolve(message);
      };
      client.on(Events.MessageCreate, listener);
    });
    const reply = emulator.userSendsMessage(thread.id, person, 'to you, Bayar', [], { replyTo: post.id });
    expect(reply.json).toMatchObject({ type: 19, message_reference: { type: 0, message_id: post.id, channel_id: thread.id, guild_id: emulator.guildId }, referenced_message: { id: post.id, webhook_id: owned.id, application_id: emulator.applicationId } });
    const received = await replied;
    expect(received.type).toBe(MessageType.Reply);
    expect(received.reference?.messageId).toBe(post.id);
    expect(received.channel.messages.cache.get(post.id)).toMatchObject({ webhookId: owned.id, applicationId: emulator.applicationId, author: { username: 'Bayar' } });

    // A click on the webhook post's button → a modal (callback 9) → MODAL_SUBMIT with the Label's value.
    const next = () => new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
    expect(() => emulator.userClicksButton(thread.id, post.id, person, 'no-such-button')).toThrow(/no component/);
    let arriving = next();
    const click = emulator.userClicksButton(thread.id, post.id, person, 'ask:1');
    const button = await arriving;
    if (!button.isButton()) throw new Error('expected a button');
    expect(button.message.webhookId).toBe(owned.id);
    await button.showModal({
      custom_id: 'modal:1',
      title: 'Ask Bayar',
      components: [{ type: ComponentType.Label, label: 'Your question for Bayar', component: { type: ComponentType.TextInput, custom_id: 'question', style: 2, max_length: 200 } }],
    });
    expect(emulator.interaction(click.id)?.callbacks.map((callback) => callback.type)).toEqual([9]);
    expect(() => emulator.userSubmitsModal(click.id, { question: 'x'.repeat(201) })).toThrow(/takes/);
    arriving = next();
    const submit = emulator.userSubmitsModal(click.id, { question: 'Why oak?' });
    const modal = await arriving;
    if (!modal.isModalSubmit()) throw new Error('expected a modal submission');
    expect(emulator.interaction(submit.id)?.type).toBe(5);
    expect(modal.customId).toBe('modal:1');
    expect(modal.fields.getTextInputValue('question')).toBe('Why oak?');
    expect(modal.message?.id).toBe(post.id);
    await modal.reply({ content: 'asked', allowedMentions: { parse: [] } });
    expect(emulator.interactionMessages(submit.id).map((message) => message.json.content)).toEqual(['asked']);

    // A modal that breaks Discord's rules is refused (title ≤ 45).
    arriving = next();
    emulator.userClicksButton(thread.id, post.id, person, 'ask:1');
    const again = await arriving;
    if (!again.isButton()) throw new Error('expected a button');
    await expect(again.showModal({ custom_id: 'modal:2', title: 'x'.repeat(46), components: [{ type: ComponentType.Label, label: 'Q', component: { type: ComponentType.TextInput, custom_id: 'q', style: 1 } }] })).rejects.toMatchObject({ code: 50035 });
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
