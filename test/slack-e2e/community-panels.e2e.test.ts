/**
 * Panels and channel settings from chat on Slack (real Bolt, the Slack emulator): a workspace
 * admin drafts a panel with `/roundtable panel new`, presses Save on the private draft, makes it
 * the channel's default with `/roundtable config set`; a member who is not an admin is refused
 * both; the next mention in that channel sits with the drafted panel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from './slack-e2e-harness.ts';
import { choiceActionPrefix } from '../../adapters/slack/choice-blocks.ts';

let harness: E2EHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('Slack: a workspace’s own panel from chat', () => {
  it('drafts, saves with the button, sets the channel default, refuses non-admins, and starts with it', async () => {
    harness = await startE2E();
    const { emulator } = harness;
    const channel = emulator.addChannel('bakery');
    const admin = emulator.addUser('rita', { isAdmin: true });
    const member = emulator.addUser('ben');
    const answer = async (user: typeof admin, text: string) => {
      const before = emulator.ephemeralsFor(user.id).length;
      await emulator.userRunsCommand(user, channel.id, text);
      await emulator.waitFor(() => emulator.ephemeralsFor(user.id).length > before, { timeoutMs: 10_000, message: `an answer to ${text}` });
      return { index: before, ...emulator.ephemeralsFor(user.id)[before]! };
    };

    expect((await answer(member, 'panel new a bakery and its neighbours')).text).toMatch(/^Only the community's managers can draft panels/);
    const draft = await answer(admin, 'panel new a bakery and its neighbours');
    expect(draft.text).toContain('Bakery corner (bakery-corner)');
    const buttons = ((draft.blocks ?? []) as { type: string; elements?: { action_id: string; text: { text: string } }[] }[]).find((block) => block.type === 'actions')?.elements ?? [];
    expect(buttons.map((button) => button.text.text)).toEqual(['Save', 'Regenerate', 'Cancel']);
    expect(buttons[0]!.action_id).toBe(`${choiceActionPrefix}0`);

    const savedBefore = emulator.ephemeralsFor(admin.id).length;
    await emulator.userClicksEphemeral(admin, draft.index, `${choiceActionPrefix}0`);
    const saved = await emulator.waitFor(() => emulator.ephemeralsFor(admin.id)[savedBefore], { timeoutMs: 10_000, message: 'the save' });
    expect(saved.text).toContain('Saved panel bakery-corner (version 1, 4 personas)');

    // One persona edited in a modal: the Edit buttons, the form (filled with the persona), the next version.
    const picker = await answer(admin, 'panel edit bakery-corner');
    const editButtons = ((picker.blocks ?? []) as { type: string; elements?: { action_id: string; text: { text: string } }[] }[]).find((block) => block.type === 'actions')?.elements ?? [];
    expect(editButtons.map((button) => button.text.text)).toEqual(['Edit Rosa Baker', 'Edit Karl Miller', 'Edit Mina Seller', 'Edit Otto Regular']);
    await emulator.userClicksEphemeral(admin, picker.index, editButtons[1]!.action_id);
    const form = await emulator.waitFor(() => emulator.openViews(admin.id)[0], { timeoutMs: 10_000, message: 'the edit form' });
    const prefilled = (form.view.blocks as { block_id: string; element: { initial_value?: string } }[]).map((block) => [block.block_id, block.element.initial_value]);
    expect(prefilled).toEqual([
      ['displayName', 'Karl Miller'],
      ['roleTitle', 'Miller'],
      ['roleFocus', 'What a miller brings to the table: the daily work and its limits.'],
      ['background', 'Karl Miller has been a miller at a neighbourhood bakery for years.'],
      ['speakingStyle', 'Warm and practical.'],
    ]);
    const field = (id: string, value: string) => ({ [id]: { [id]: value } });
    const editedBefore = emulator.ephemeralsFor(admin.id).length;
    await emulator.userSubmitsView(admin, form.view.id as string, {
      ...field('displayName', 'Karl Miller'),
      ...field('roleTitle', 'Miller'),
      ...field('roleFocus', 'Flour quality, grain prices and what a mill can promise.'),
      ...field('background', 'Karl Miller runs the mill two villages away.'),
      ...field('speakingStyle', 'Slow and exact.'),
    });
    const edited = await emulator.waitFor(() => emulator.ephemeralsFor(admin.id)[editedBefore], { timeoutMs: 10_000, message: 'the edit saved' });
    expect(edited.text).toBe('Saved Karl Miller in bakery-corner (version 2).');

    expect((await answer(member, 'config set panel bakery-corner')).text).toMatch(/^Only the community's managers can change this channel/);
    expect((await answer(admin, 'config set panel bakery-corner')).text).toContain('Set panel to bakery-corner');

    const mention = await emulator.userMentions(member, channel.id, 'Bread for night-shift workers');
    const opening = await emulator.waitFor(() => emulator.thread(channel.id, mention.ts).find((message) => message.botId && /Bakery corner/.test(message.text)), { timeoutMs: 20_000, message: 'the opening post' });
    expect(opening.text).toContain('Rosa Baker (Baker)');
    expect(opening.text).toMatch(/panel: bakery-corner/);
  }, 60_000);

  it('imports a persona from a Character Card V2 file shared with the mention that asks for it', async () => {
    harness = await startE2E();
    const { emulator } = harness;
    const channel = emulator.addChannel('cards');
    const admin = emulator.addUser('rita', { isAdmin: true });
    const member = emulator.addUser('ben');
    const persona = (id: string, displayName: string, role: string) => ({ id, displayName, role, roleTitle: role, roleFocus: `The ${role} view.`, background: `${displayName} is a ${role}.`, speakingStyle: 'Plain.' });
    const panel = { id: 'pottery', name: 'Pottery', description: 'People of a pottery.', personas: [persona('maker', 'Mo Maker', 'maker'), persona('buyer', 'Bea Buyer', 'buyer')] };
    await emulator.userRunsCommand(admin, channel.id, `panel save ${JSON.stringify(panel)}`);
    await emulator.waitFor(() => emulator.ephemeralsFor(admin.id).some((ephemeral) => /Saved panel pottery/.test(ephemeral.text)), { timeoutMs: 10_000, message: 'the panel saved' });

    const card = { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Old Potter', description: '{{char}} has thrown bowls for forty years.', personality: 'Patient and exact.', scenario: '', first_mes: 'Sit.', mes_example: '', creator_notes: 'notes', system_prompt: '', post_history_instructions: '', alternate_greetings: ['Hello again.'], tags: ['craft'], creator: 'x', character_version: '1', extensions: {} } };
    const file = emulator.uploadFile(admin, { name: 'old-potter.json', mimetype: 'application/json', bytes: Buffer.from(JSON.stringify(card)) });
    await emulator.userMentions(member, channel.id, 'panel import pottery', { files: [emulator.uploadFile(member, { name: 'x.json', mimetype: 'application/json', bytes: Buffer.from(JSON.stringify(card)) })] });
    await emulator.waitFor(() => emulator.ephemeralsFor(member.id).find((ephemeral) => /Only the community's managers can change panels/.test(ephemeral.text)), { timeoutMs: 10_000, message: 'the refusal' });
    await emulator.userMentions(admin, channel.id, 'panel import pottery', { files: [file] });
    const added = await emulator.waitFor(() => emulator.ephemeralsFor(admin.id).find((ephemeral) => /Added Old Potter/.test(ephemeral.text)), { timeoutMs: 10_000, message: 'the import' });
    expect(added.text).toContain('Added Old Potter (old_potter) to pottery, now version 2.');
    expect(added.text).toMatch(/Not carried over: .*alternate_greetings/);
  }, 60_000);

  it('lets the members of the manager user group (COMMUNITY_MANAGER_ROLE) manage, and nobody else who is not an admin', async () => {
    harness = await startE2E({ env: { COMMUNITY_MANAGER_ROLE: 'S0MANAGERS' } });
    const { emulator } = harness;
    const channel = emulator.addChannel('groups');
    const gus = emulator.addUser('gus');
    const ben = emulator.addUser('ben');
    emulator.workspace.userGroups.set('S0MANAGERS', [gus.id]);
    const answer = async (user: typeof gus, text: string) => {
      const before = emulator.ephemeralsFor(user.id).length;
      await emulator.userRunsCommand(user, channel.id, text);
      return (await emulator.waitFor(() => emulator.ephemeralsFor(user.id)[before], { timeoutMs: 10_000, message: `an answer to ${text}` })).text;
    };
    expect(await answer(gus, 'config set rounds 1')).toContain('Set rounds to 1 for this channel');
    expect(await answer(ben, 'config set rounds 2')).toMatch(/^Only the community's managers can change this channel/);
    expect(await answer(ben, 'config show')).toBe("This channel's settings:\nrounds: 1");
  }, 60_000);
});
