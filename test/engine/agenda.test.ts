import { describe, expect, it } from 'vitest';
import { applyInbox, initialAgenda, mentionsPersona } from '../../src/engine/agenda.ts';
import { loadPanels } from '../../src/panels/panel-loader.ts';
import type { SessionMeta, Step } from '../../src/session/session-types.ts';
import type { InboxEvent } from '../../src/adapter/inbound-event.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
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

describe('run control in the agenda', () => {
  const image = { kind: 'path' as const, location: '/x.png', filename: 'x.png' };
  const round = (number: number, personaIds = panel.personas.map((persona) => persona.id)) => [
    { kind: 'round-start', round: number },
    ...personaIds.map((personaId) => ({ kind: 'turn', personaId, round: number, reason: 'round' })),
  ];

  it('opens every automatic round with its notice', () => {
    const agenda = initialAgenda(panel, 2, [], person);
    expect(agenda.slice(7)).toEqual([...round(1), ...round(2), { kind: 'pause' }]);
  });

  it('a message addressed to a persona makes it answer next: after the images, the round order unchanged', () => {
    const agenda = [{ kind: 'image-story', personaId: 'consumer_1', imageHash: 'h' }, ...round(1).slice(3)] as Step[];
    const byName = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'message', text: 'Lin Siyu, which colours?', images: [] })], commands).agenda;
    expect(byName).toEqual([agenda[0], { kind: 'turn', personaId: 'designer_1', round: 1, reason: 'reply' }, ...agenda.slice(1)]);
    const addressed = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'message', text: 'And you?', images: [], addressedTo: 'craftsman_1' }), event({ type: 'message', text: 'Lin, colours?', images: [image] })], commands).agenda;
    // Asked in order: Bayar, then Lin; the new image is looked at first.
    expect(addressed.slice(0, 4)).toEqual([agenda[0], { kind: 'image-describe', image, from: person }, { kind: 'turn', personaId: 'craftsman_1', round: 1, reason: 'reply' }, { kind: 'turn', personaId: 'designer_1', round: 1, reason: 'reply' }]);
    expect(addressed.slice(4)).toEqual(agenda.slice(1));
  });

  it('/pause drops the rounds; then only an addressed message is answered', () => {
    const agenda = initialAgenda(panel, 2, [], person).slice(7);
    const paused = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'command', name: 'pause', options: {} }), event({ type: 'message', text: 'Anyone?', images: [] }), event({ type: 'message', text: 'Bayar, anyone?', images: [] })], commands);
    expect(paused.meta).toEqual({ paused: true });
    expect(paused.agenda.map((step) => step.kind)).toEqual(['notice', 'turn']);
    expect(paused.agenda[1]).toEqual({ kind: 'turn', personaId: 'craftsman_1', round: 1, reason: 'reply' });
    expect(paused.transcript.map((entry) => entry.text)).toEqual(['Anyone?', 'Bayar, anyone?']);
  });

  it('/resume plans the rounds asked for (within MAX_ROUNDS) after the current one, then the pause', () => {
    const resumed = applyInbox({ meta: { ...meta, paused: true, autoRounds: 2 }, panel, agenda: [], pollOpen: false, maxRounds: 3 }, [event({ type: 'command', name: 'resume', options: { rounds: 9 } })], commands);
    expect(resumed.meta).toEqual({ paused: false });
    expect(resumed.agenda).toEqual([...round(2), ...round(3), ...round(4), { kind: 'pause' }]);
    const byDefault = applyInbox({ meta: { ...meta, autoRounds: 2 }, panel, agenda: [], pollOpen: false }, [event({ type: 'command', name: 'resume', options: {} })], commands);
    expect(byDefault.agenda.filter((step) => step.kind === 'round-start')).toHaveLength(2);
  });

  it('/mute drops the persona from what is planned and the reply rotation; /unmute puts it back into the rounds not begun', () => {
    const agenda = initialAgenda(panel, 2, [], person).slice(7);
    const muted = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'command', name: 'mute', options: { persona: 'craftsman_1' } })], commands);
    expect(muted.meta).toEqual({ muted: ['craftsman_1'] });
    const others = panel.personas.slice(1).map((persona) => persona.id);
    expect(muted.agenda).toEqual([expect.objectContaining({ kind: 'notice' }), ...round(1, others), ...round(2, others), { kind: 'pause' }]);
    const quiet = { ...meta, muted: ['craftsman_1'] };
    const reply = applyInbox({ meta: quiet, panel, agenda: [], pollOpen: false }, [event({ type: 'message', text: 'Thoughts?', images: [] })], commands);
    expect(reply.agenda).toEqual([{ kind: 'turn', personaId: 'consumer_1', round: 1, reason: 'reply' }]);
    expect(reply.replyCursor).toBe(2);
    const asked = applyInbox({ meta: quiet, panel, agenda: [], pollOpen: false }, [event({ type: 'message', text: 'Bayar, thoughts?', images: [] })], commands);
    expect(asked.agenda).toEqual([{ kind: 'notice', text: 'Bayar (巴雅尔) is muted and will not answer; `/unmute <persona>` brings them back.' }]);
    const unmuted = applyInbox({ meta: quiet, panel, agenda: muted.agenda.slice(1), pollOpen: false }, [event({ type: 'command', name: 'unmute', options: { persona: 'craftsman_1' } })], commands);
    expect(unmuted.meta).toEqual({ muted: [] });
    expect(unmuted.agenda.slice(1)).toEqual([...round(1), ...round(2), { kind: 'pause' }]);
  });

  it('/stop drops everything planned before it; what comes after it is planned after its notice', () => {
    const agenda = initialAgenda(panel, 1, [image], person).slice(7);
    const stopped = applyInbox({ meta, panel, agenda, pollOpen: false }, [event({ type: 'command', name: 'stop', options: {} }), event({ type: 'message', text: 'Li, costs?', images: [] })], commands).agenda;
    expect(stopped).toEqual([{ kind: 'stopped', by: person }, { kind: 'turn', personaId: 'manufacturer_1', round: 1, reason: 'reply' }]);
  });
});
