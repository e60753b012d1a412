/**
 * Panels and settings from chat, through the real pipeline (real Redis and BullMQ, the fake
 * model): a manager saves a panel for the community, imports a persona from a Character Card V2
 * file, makes the panel the channel's default, and the next start in that channel sits with it
 * and says the channel's settings in its opening post. A member who is not a manager is refused
 * every write; a second community never sees the first one's panels; a session keeps the panel it
 * started with when the panel is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import type { SessionAddress } from '../../src/session/session-id.ts';

let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
const manager: Person = { id: 'm1', displayName: 'Mara', managesCommunity: true };
const member: Person = { id: 'u2', displayName: 'Ben' };
const here: SessionAddress = { platform: 'terminal', channel: 'c-design', thread: 'c-design', community: 'community-one' };
const elsewhere: SessionAddress = { platform: 'terminal', channel: 'c-other', thread: 'c-other', community: 'community-two' };

const persona = (id: string, displayName: string, role: string) => ({
  id,
  displayName,
  role,
  roleTitle: `${role[0]!.toUpperCase()}${role.slice(1)}`,
  roleFocus: `What a ${role} sees in a product: cost, use and care.`,
  background: `${displayName} has worked as a ${role} for ten years in a small town.`,
  speakingStyle: 'Short sentences, concrete examples.',
});
const teaPanel = {
  id: 'tea-house',
  name: 'Tea house',
  description: 'People who run, supply and visit a tea house.',
  personas: [persona('owner', 'Hana Owner', 'owner'), persona('grower', 'Ravi Grower', 'grower'), persona('guest', 'Lea Guest', 'guest')],
};
const card = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: 'Old Potter',
    description: '{{char}} has thrown tea bowls for forty years and talks to {{user}} about clay.',
    personality: 'Patient, exacting about glaze and weight.',
    scenario: '',
    first_mes: 'Sit down, the kiln is still warm.',
    mes_example: '{{char}}: A bowl should fit the hand before it fits the shelf.',
    creator_notes: 'made for a pottery server',
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: ['Welcome back.'],
    tags: ['craft'],
    creator: 'someone',
    character_version: '1',
    extensions: {},
  },
};

const run = (name: string, options: Record<string, unknown>, person: Person, address: SessionAddress = here) => app.runCommand({ name, options, person, address, sessionId: undefined });

beforeAll(async () => {
  fake = await startFakeOpenAI({ chat: roundtableReply });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 1 } });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a community’s own panel, from chat', () => {
  it('refuses every write to a member who is not a manager, with a short reason', async () => {
    for (const [name, options] of [
      ['panel', { action: 'save', args: JSON.stringify(teaPanel) }],
      ['panel', { action: 'delete', args: 'tea-house' }],
      ['panel', { action: 'import', args: `tea-house ${JSON.stringify(card)}` }],
      ['config', { action: 'set', key: 'rounds', value: '2' }],
      ['config', { action: 'reset', key: 'rounds' }],
    ] as const) {
      const reply = await run(name, options, member);
      expect(reply.text, `${name} ${options.action}`).toMatch(/^Only the community's managers can /);
      expect(reply.visibility).toBe('ephemeral');
    }
    expect((await run('panel', { action: 'list' }, member)).text).not.toContain('tea-house');
  });

  it('saves a valid panel, lists and shows it to everyone, and refuses an invalid one saying why', async () => {
    const saved = await run('panel', { action: 'save', args: JSON.stringify(teaPanel) }, manager);
    expect(saved.text).toContain('Saved panel tea-house (version 1, 3 personas)');
    const list = await run('panel', { action: 'list' }, member);
    expect(list.text).toContain('• tea-house — Tea house (3 personas, v1 by Mara)');
    expect(list.text).toContain('built in');
    const shown = await run('panel', { action: 'show', args: 'tea-house' }, member);
    expect(shown.text).toContain('1. Hana Owner — Owner: What a owner sees');
    const twice = { ...teaPanel, id: 'twice', personas: [teaPanel.personas[0], { ...teaPanel.personas[1], displayName: 'hana owner' }] };
    expect((await run('panel', { action: 'save', args: JSON.stringify(twice) }, manager)).text).toContain('names: each once (hana owner twice)');
    // Two personas may share a role, as in file panels (three consumers).
    const shared = { ...teaPanel, id: 'shared-role', personas: [teaPanel.personas[0], { ...teaPanel.personas[1], role: 'owner' }] };
    expect((await run('panel', { action: 'save', args: JSON.stringify(shared) }, manager)).text).toContain('Saved panel shared-role');
    await run('panel', { action: 'delete', args: 'shared-role' }, manager);
    const builtInId = { ...teaPanel, id: 'design-workshop' };
    expect((await run('panel', { action: 'save', args: JSON.stringify(builtInId) }, manager)).text).toContain('is a built-in panel');
    expect((await run('panel', { action: 'save', args: '{not json' }, manager)).text).toContain('not valid JSON');
  });

  it('cleans names as webhook names are cleaned', async () => {
    const named = { ...teaPanel, id: 'named', personas: [{ ...teaPanel.personas[0], displayName: '@everyone Discord Fan' }, teaPanel.personas[1]] };
    expect((await run('panel', { action: 'save', args: JSON.stringify(named) }, manager)).text).toContain('Saved panel named');
    const shown = await run('panel', { action: 'show', args: 'named' }, manager);
    expect(shown.text).not.toMatch(/@|Discord/);
    await run('panel', { action: 'delete', args: 'named' }, manager);
  });

  it('imports a persona from a Character Card V2 and says what it did not carry', async () => {
    const reply = await run('panel', { action: 'import', args: `tea-house ${JSON.stringify(card)}` }, manager);
    expect(reply.text).toContain('Added Old Potter (old_potter) to tea-house, now version 2.');
    expect(reply.text).toMatch(/Not carried over: .*alternate_greetings/);
    const shown = await run('panel', { action: 'show', args: 'tea-house' }, manager);
    expect(shown.text).toContain('4. Old Potter — Craft: Patient, exacting about glaze and weight.');
  });

  it('edits one persona by a JSON round trip: the panel’s JSON out, changed, saved as its next version', async () => {
    const json = JSON.parse((await run('panel', { action: 'json', args: 'tea-house' }, member)).text) as typeof teaPanel;
    expect(json.personas.map((entry) => entry.id)).toEqual(['owner', 'grower', 'guest', 'old_potter']);
    json.personas[1] = { ...json.personas[1]!, roleFocus: 'Harvest, weather and fair prices for small growers.' };
    expect((await run('panel', { action: 'save', args: JSON.stringify(json) }, manager)).text).toContain('Saved panel tea-house (version 3, 4 personas)');
    expect((await run('panel', { action: 'show', args: 'tea-house' }, member)).text).toContain('2. Ravi Grower — Grower: Harvest, weather and fair prices for small growers.');
  });

  it('refuses a persona form saved over a version someone else saved meanwhile', async () => {
    const form = { roleFocus: 'Soil and seasons.' };
    const stale = await run('panel', { action: 'persona', args: 'tea-house grower 2', form: JSON.stringify(form) }, manager);
    expect(stale.text).toBe('Someone saved “tea-house” meanwhile (now version 3); show it again and edit that.');
    const opened = await run('panel', { action: 'form', args: 'tea-house grower' }, manager);
    expect(opened.form?.options).toEqual({ action: 'persona', args: 'tea-house grower 3' });
    expect(opened.form?.fields.map((field) => [field.id, field.value])).toContainEqual(['roleFocus', 'Harvest, weather and fair prices for small growers.']);
    expect((await run('panel', { action: 'form', args: 'tea-house grower' }, member)).form).toBeUndefined();
  });

  it('never shows one community’s panels to another', async () => {
    expect((await run('panel', { action: 'list' }, manager, elsewhere)).text).not.toContain('tea-house');
    expect((await run('panel', { action: 'show', args: 'tea-house' }, manager, elsewhere)).text).toContain('There is no panel “tea-house”');
    expect((await run('config', { action: 'set', key: 'panel', value: 'tea-house' }, manager, elsewhere)).text).toContain('is not a value for panel');
  });
});

describe('a panel drafted by the model', () => {
  it('is drafted for a manager, shown one persona a line with Save / Regenerate / Cancel, and saved with Save', async () => {
    expect((await run('panel', { action: 'new', args: 'a bakery and its neighbours' }, member)).text).toMatch(/^Only the community's managers can draft panels/);
    const drafted = await run('panel', { action: 'new', args: 'a bakery and its neighbours' }, manager);
    expect(drafted.text).toContain('Draft for “a bakery and its neighbours”: Bakery corner (bakery-corner)');
    expect(drafted.text).toContain('2. Karl Miller — Miller: What a miller brings to the table');
    expect(drafted.choices?.map((choice) => [choice.label, choice.typed])).toEqual([['Save', 'save'], ['Regenerate', 'again'], ['Cancel', 'cancel']]);
    const [save, again, cancel] = drafted.choices!;
    // Regenerate keeps the draft id; a member pressing Save is refused like any write.
    const redrafted = await run(again!.command, again!.options, manager);
    expect(redrafted.choices?.[0]?.options).toEqual(save!.options);
    expect((await run(save!.command, save!.options, member)).text).toMatch(/^Only the community's managers can change panels/);
    expect((await run(save!.command, save!.options, manager)).text).toContain('Saved panel bakery-corner (version 1, 4 personas)');
    // The draft is gone once saved.
    expect((await run(cancel!.command, cancel!.options, manager)).text).toBe('That draft was already saved, cancelled or expired.');
    expect((await run('panel', { action: 'show', args: 'bakery-corner' }, member)).text).toContain('4. Otto Regular — Regular customer');
    // A second draft for the same purpose gets a free id.
    const second = await run('panel', { action: 'new', args: 'a bakery and its neighbours' }, manager);
    expect(second.text).toContain('Bakery corner (bakery-corner-2)');
    expect((await run(second.choices![2]!.command, second.choices![2]!.options, manager)).text).toBe('Draft cancelled.');
    await run('panel', { action: 'delete', args: 'bakery-corner' }, manager);
  });
});

describe('channel settings', () => {
  it('refuses unknown keys and bad values with one line that lists what is allowed', async () => {
    expect((await run('config', { action: 'set', key: 'colour', value: 'red' }, manager)).text).toBe(
      'There is no setting “colour”. Settings: panel, preset, rounds, language, starters, enabled, session-budget, person-budget.',
    );
    expect((await run('config', { action: 'set', key: 'rounds', value: '99' }, manager)).text).toBe('“99” is not a value for rounds: use a whole number from 0 to 5.');
    expect((await run('config', { action: 'set', key: 'starters', value: 'admins' }, manager)).text).toContain('use everyone, managers, or role:<role id>');
  });

  it('starts the next session in the channel with its default panel, and says the settings in the opening post', async () => {
    expect((await run('config', { action: 'set', key: 'panel', value: 'tea-house' }, manager)).text).toContain('Set panel to tea-house');
    expect((await run('config', { action: 'set', key: 'rounds', value: '1' }, manager)).text).toContain('Set rounds to 1');
    expect((await run('config', { action: 'show' }, member)).text).toBe("This channel's settings:\npanel: tea-house\nrounds: 1");
    const started = await run('start', { topic: 'A tea bowl for the office' }, member, { ...here, thread: 'thread-tea' });
    expect(started.sessionId, started.text).toBeDefined();
    const sessionId = started.sessionId!;
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the tea session to pause', 60_000);
    const posts = adapter.postsOf(sessionId);
    const opening = posts.find((post) => post.speaker === 'moderator')!;
    expect(opening.text).toContain('Panel (Tea house): Hana Owner (Owner), Ravi Grower (Grower), Lea Guest (Guest), Old Potter (Craft).');
    expect(opening.text).toContain('This channel’s settings: panel: tea-house · rounds: 1.');
    const speakers = new Set(posts.filter((post) => post.speaker !== 'moderator').map((post) => post.speaker));
    expect([...speakers].sort()).toEqual(['Hana Owner', 'Lea Guest', 'Old Potter', 'Ravi Grower']);

    // Deleted meanwhile: the running session keeps the panel it started with.
    expect((await run('panel', { action: 'delete', args: 'tea-house' }, manager)).text).toContain('Deleted panel tea-house');
    const status = await app.roundtable.status(sessionId);
    expect(status?.panelName).toBe('Tea house');
    expect(status?.personas.map((persona) => persona.displayName)).toContain('Old Potter');
    // The channel's default names a panel that is gone: a start says so instead of starting.
    const refused = await run('start', { topic: 'Another bowl' }, member, { ...here, thread: 'thread-gone' });
    expect(refused.sessionId).toBeUndefined();
    expect(refused.text).toContain('There is no panel “tea-house”');
    await run('config', { action: 'reset', key: 'panel' }, manager);
  }, 90_000);

  it('lets only managers start where starters are managers, and nobody where the channel is off', async () => {
    await run('config', { action: 'set', key: 'starters', value: 'managers' }, manager);
    const refused = await run('start', { topic: 'A teapot' }, member, { ...here, thread: 'thread-m' });
    expect(refused.sessionId).toBeUndefined();
    expect(refused.text).toBe('In this channel only managers start roundtables.');
    expect(await app.roundtable.startRefusal?.(here, member)).toBe('In this channel only managers start roundtables.');
    expect(await app.roundtable.startRefusal?.(here, manager)).toBeUndefined();
    await run('config', { action: 'set', key: 'enabled', value: 'off' }, manager);
    expect((await run('start', { topic: 'A teapot' }, manager, { ...here, thread: 'thread-off' })).text).toBe('Roundtables are switched off in this channel.');
    await run('config', { action: 'reset', key: 'enabled' }, manager);
    await run('config', { action: 'reset', key: 'starters' }, manager);
    expect((await run('config', { action: 'show' }, member)).text).toContain('rounds: 1');
  });
});
