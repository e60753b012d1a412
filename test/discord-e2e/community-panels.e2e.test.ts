/**
 * Panels and channel settings from chat on Discord: the server's owner (Manage Server) saves a
 * panel and makes it the channel's default with `/panel` and `/config`; a member with Manage
 * Threads only (a channel manager, not a server manager) is refused every write; the next mention
 * in that channel opens a session with that panel, its opening post saying the channel's settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './e2e-harness.ts';

const persona = (id: string, displayName: string, role: string) => ({
  id,
  displayName,
  role,
  roleTitle: `${role[0]!.toUpperCase()}${role.slice(1)}`,
  roleFocus: `What a ${role} sees in a bicycle: cost, use and care.`,
  background: `${displayName} has worked as a ${role} for ten years.`,
  speakingStyle: 'Short sentences, concrete examples.',
});
const bikeShop = {
  id: 'bike-shop',
  name: 'Bike shop',
  description: 'People who build, sell and ride bicycles.',
  personas: [persona('builder', 'Noor Builder', 'builder'), persona('seller', 'Timo Seller', 'seller'), persona('rider', 'Ida Rider', 'rider')],
};

describe('Discord end to end: a community’s own panel from chat', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  const answerTo = async (interactionId: string) =>
    String((await e2e.emulator.waitFor(() => e2e.emulator.interactionMessages(interactionId)[0], 10_000, 'the command’s answer')).json.content);

  it('lets the server’s managers save a panel and make it the channel’s default, refuses others, and starts with it', async () => {
    const { emulator } = e2e;
    const moderator = emulator.addMember('mod', { manager: true });
    const alice = emulator.addMember('alice');

    const refused = emulator.userRunsCommand(emulator.channelId, moderator, 'panel', { action: 'save', args: JSON.stringify(bikeShop) });
    expect(await answerTo(refused.id)).toMatch(/^Only the community's managers can change panels/);
    const refusedSetting = emulator.userRunsCommand(emulator.channelId, alice, 'config', { action: 'set', key: 'rounds', value: '1' });
    expect(await answerTo(refusedSetting.id)).toMatch(/^Only the community's managers can change this channel’s settings/);

    const saved = emulator.userRunsCommand(emulator.channelId, emulator.owner, 'panel', { action: 'save', args: JSON.stringify(bikeShop) });
    expect(await answerTo(saved.id)).toContain('Saved panel bike-shop (version 1, 3 personas)');
    const setPanel = emulator.userRunsCommand(emulator.channelId, emulator.owner, 'config', { action: 'set', key: 'panel', value: 'bike-shop' });
    expect(await answerTo(setPanel.id)).toContain('Set panel to bike-shop');
    const listed = emulator.userRunsCommand(emulator.channelId, alice, 'panel', { action: 'list' });
    expect(await answerTo(listed.id)).toContain('• bike-shop — Bike shop (3 personas, v1 by owner)');

    // A drafted panel: its Save button, pressed by a member, is refused; pressed by the owner, saves it.
    const drafted = emulator.userRunsCommand(emulator.channelId, emulator.owner, 'panel', { action: 'new', args: 'a bakery and its neighbours' });
    const draft = await emulator.waitFor(() => emulator.interactionMessages(drafted.id).find((message) => /Draft for/.test(String(message.json.content))), 10_000, 'the draft');
    expect(String(draft.json.content)).toContain('1. Rosa Baker — Baker: What a baker brings to the table');
    const draftButtons = (draft.json.components as { components: { custom_id: string; label: string }[] }[]).flatMap((row) => row.components);
    expect(draftButtons.map((button) => button.label)).toEqual(['Save', 'Regenerate', 'Cancel']);
    const saveButton = draftButtons[0]!.custom_id;
    const memberSave = emulator.userClicksButton(emulator.channelId, draft.json.id as string, alice, saveButton);
    expect(await answerTo(memberSave.id)).toMatch(/^Only the community's managers can change panels/);
    const ownerSave = emulator.userClicksButton(emulator.channelId, draft.json.id as string, emulator.owner, saveButton);
    expect(await answerTo(ownerSave.id)).toContain('Saved panel bakery-corner (version 1, 4 personas)');

    // One persona edited in a modal: the panel's Edit buttons, the form filled in, the next version saved.
    const edit = emulator.userRunsCommand(emulator.channelId, emulator.owner, 'panel', { action: 'edit', args: 'bakery-corner' });
    const picker = await emulator.waitFor(() => emulator.interactionMessages(edit.id)[0], 10_000, 'the persona picker');
    const editButtons = (picker.json.components as { components: { custom_id: string; label: string }[] }[]).flatMap((row) => row.components);
    expect(editButtons.map((button) => button.label)).toEqual(['Edit Rosa Baker', 'Edit Karl Miller', 'Edit Mina Seller', 'Edit Otto Regular']);
    const opened = emulator.userClicksButton(emulator.channelId, picker.json.id as string, emulator.owner, editButtons[1]!.custom_id);
    await emulator.waitFor(() => emulator.interaction(opened.id)?.modal, 10_000, 'the edit form');
    const submitted = emulator.userSubmitsModal(opened.id, {
      displayName: 'Karl Miller',
      roleTitle: 'Miller',
      roleFocus: 'Flour quality, grain prices and what a mill can promise.',
      background: 'Karl Miller runs the mill two villages away.',
      speakingStyle: 'Slow and exact.',
    });
    expect(await answerTo(submitted.id)).toBe('Saved Karl Miller in bakery-corner (version 2).');
    const shownAfter = emulator.userRunsCommand(emulator.channelId, alice, 'panel', { action: 'show', args: 'bakery-corner' });
    expect(await answerTo(shownAfter.id)).toContain('2. Karl Miller — Miller: Flour quality, grain prices and what a mill can promise.');

    // A persona from a Character Card V2 file attached to /panel import.
    const card = { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Old Potter', description: '{{char}} has thrown bowls for forty years.', personality: 'Patient and exact.', scenario: '', first_mes: 'Sit.', mes_example: '', creator_notes: '', system_prompt: '', post_history_instructions: '', alternate_greetings: ['Hello again.'], tags: ['craft'], creator: 'x', character_version: '1', extensions: {} } };
    const cardFile = { filename: 'old-potter.json', contentType: 'application/json', bytes: Buffer.from(JSON.stringify(card)) };
    const imported = emulator.userRunsCommand(emulator.channelId, emulator.owner, 'panel', { action: 'import', args: 'bakery-corner', card: cardFile });
    const importAnswer = await answerTo(imported.id);
    expect(importAnswer).toContain('Added Old Potter (old_potter) to bakery-corner, now version 3.');
    expect(importAnswer).toMatch(/Not carried over: .*alternate_greetings/);

    emulator.userSendsMessage(emulator.channelId, alice, `<@${emulator.botUser.id}> A cargo bike for a bakery`);
    const thread = await emulator.waitFor(() => emulator.threadsOf(emulator.channelId)[0], 10_000, 'the session thread');
    const opening = await emulator.waitFor(() => emulator.messagesIn(thread.id).find((message) => /\*\*Roundtable:/.test(String(message.json.content))), 20_000, 'the opening post');
    expect(String(opening.json.content)).toContain('Panel (Bike shop): Noor Builder (Builder), Timo Seller (Seller), Ida Rider (Rider).');
    expect(String(opening.json.content)).toContain('This channel’s settings: panel: bike-shop.');
    const speakers = await emulator.waitFor(() => {
      const names = new Set(emulator.messagesIn(thread.id).map((message) => message.webhookUsername).filter((name): name is string => name !== undefined));
      return names.size >= 3 ? names : undefined;
    }, 30_000, 'the three panelists');
    expect([...speakers].sort()).toEqual(['Ida Rider', 'Noor Builder', 'Timo Seller']);

    // Switched off: a mention in the channel is not answered there at all (no thread, no reply).
    const off = emulator.userRunsCommand(emulator.channelId, emulator.owner, 'config', { action: 'set', key: 'enabled', value: 'off' });
    expect(await answerTo(off.id)).toContain('Set enabled to off');
    const botPostsBefore = emulator.messagesIn(emulator.channelId).filter((message) => message.json.author && (message.json.author as { id: string }).id === emulator.botUser.id).length;
    const ignored = emulator.userSendsMessage(emulator.channelId, alice, `<@${emulator.botUser.id}> A bike for rain`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(emulator.threadsOf(emulator.channelId).some((candidate) => candidate.id === ignored.json.id)).toBe(false);
    expect(emulator.threadsOf(emulator.channelId)).toHaveLength(1);
    expect(emulator.messagesIn(emulator.channelId).filter((message) => message.json.author && (message.json.author as { id: string }).id === emulator.botUser.id)).toHaveLength(botPostsBefore);
  }, 90_000);
});
