import { describe, expect, it } from 'vitest';
import { applyInbox, initialAgenda, mentionsPersona } from '../../src/engine/agenda.ts';
import { loadPanels } from '../../src/panels/panel-loader.ts';
import type { SessionMeta } from '../../src/session/session-types.ts';
import type { InboxEvent } from '../../src/adapter/inbound-event.ts';
import { commandRegistry } from '../../src/commands/command-contract.ts';
import { loadCommands } from '../../commands/load-commands.ts';

const commands = commandRegistry(await loadCommands());

const panel = loadPanels('prompts/panels').get('design-workshop')!;
const person = { id: 'u1', displayName: 'Ana' };
const meta = { round: 1, stage: 'discussion', replyCursor: 0, roleMap: {} } as unknown as SessionMeta;
const event = (action: InboxEvent['action']): InboxEvent => ({ eventId: Math.random().toString(), person, receivedAt: 1, action });

describe('agenda', () => {
  it('plans opening, introductions, rounds and a pause', () => {
    const agenda = initialAgenda(panel, 2, [], person);
    expect(agenda[0]).toEqual({ kind: 'opening' });
    expect(agenda.filter((step) => step.kind === 'introduction')).toHaveLength(6);
    expect(agenda.filter((step) => step.kind === 'turn')).toHaveLength(12);
    expect(agenda.at(-1)).toEqual({ kind: 'pause' });
    expect(initialAgenda(panel, 0, [], person).some((step) => step.kind === 'pause')).toBe(false);
  });

  it('a message during the discussion joins the transcript without changing the plan', () => {
    const agenda = initialAgenda(panel, 1, [], person).slice(7);
    const result = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'message', text: 'What about felt?', images: [] })], commands);
    expect(result.agenda).toEqual(agenda);
    expect(result.transcript[0]).toMatchObject({ kind: 'person', speakerName: 'Ana', text: 'What about felt?' });
  });

  it('a message to an idle panel gets one reply, from the persona it addresses', () => {
    const result = applyInbox({ meta, panel, agenda: [], pollOpen: false }, [event({ type: 'message', text: 'Lin Siyu, which colours?', images: [] })], commands);
    expect(result.agenda).toEqual([{ kind: 'turn', personaId: 'designer_1', round: 1, reason: 'reply' }]);
  });

  it('/vote takes over from the automatic rounds; /end drops everything but closing', () => {
    const agenda = initialAgenda(panel, 2, [], person).slice(7);
    const voted = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'command', name: 'vote', options: { action: 'open' } })], commands).agenda;
    expect(voted.filter((step) => step.kind === 'turn')).toHaveLength(0);
    expect(voted.map((step) => step.kind)).toEqual([...Array(6).fill('keywords'), 'poll-open', ...Array(6).fill('persona-ballot')]);
    const ended = applyInbox({ meta, panel, agenda: voted, pollOpen: false }, [event({ type: 'command', name: 'end', options: {} }), event({ type: 'command', name: 'switch', options: {} })], commands).agenda;
    expect(ended).toEqual([{ kind: 'closing', by: person }]);
  });

  it('images are looked at before the next turns', () => {
    const agenda = initialAgenda(panel, 1, [], person).slice(7);
    const image = { kind: 'path' as const, location: '/x.png', filename: 'x.png' };
    const result = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'message', text: '', images: [image] })], commands);
    expect(result.agenda[0]).toEqual({ kind: 'image-describe', image, from: person });
  });

  it('matches Latin names as words only', () => {
    expect(mentionsPersona('I like it', 'Li Zhiqiang (李志强)', 'manufacturer_1')).toBe(false);
    expect(mentionsPersona('Li, costs?', 'Li Zhiqiang (李志强)', 'manufacturer_1')).toBe(true);
    expect(mentionsPersona('李志强觉得呢', 'Li Zhiqiang (李志强)', 'manufacturer_1')).toBe(true);
  });
});
