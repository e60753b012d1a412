/**
 * The session's agenda: the ordered steps still to run. Pure functions: the initial plan, and
 * how inbox actions (people's messages and commands, in arrival order) change it.
 *
 * Policy: people's messages never cancel anything — they join the transcript and the next
 * persona turn answers them (when the panel is idle, one persona is asked to reply). A command
 * that asks for something else (/vote, /switch) takes over from the remaining *automatic*
 * discussion; /end drops everything and closes.
 */
import type { InboxEvent } from '../adapter/inbound-event.ts';
import type { Panel } from '../panels/panel-schema.ts';
import type { SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { ImageReference } from '../adapter/inbound-event.ts';

export function initialAgenda(panel: Panel, rounds: number, images: ImageReference[], from: InboxEvent['person']): Step[] {
  const steps: Step[] = [{ kind: 'opening' }];
  for (const persona of panel.personas) steps.push({ kind: 'introduction', personaId: persona.id });
  for (const image of images) steps.push({ kind: 'image-describe', image, from });
  for (let round = 1; round <= rounds; round++) {
    for (const persona of panel.personas) steps.push({ kind: 'turn', personaId: persona.id, round, reason: 'round' });
  }
  if (rounds > 0) steps.push({ kind: 'pause' });
  return steps;
}

const isAutomatic = (step: Step) => (step.kind === 'turn' && step.reason === 'round') || step.kind === 'pause';

export interface InboxResult {
  agenda: Step[];
  /** Person messages to append to the transcript, in order. */
  transcript: TranscriptEntry[];
  replyCursor: number;
}

export interface InboxState {
  meta: SessionMeta;
  panel: Panel;
  agenda: Step[];
  pollOpen: boolean;
}

export function applyInbox(state: InboxState, events: InboxEvent[]): InboxResult {
  let agenda = [...state.agenda];
  const transcript: TranscriptEntry[] = [];
  let replyCursor = state.meta.replyCursor;
  const closing = () => agenda.some((step) => step.kind === 'closing');
  const pollPending = () => agenda.some((step) => step.kind === 'poll-open' || step.kind === 'keywords');

  for (const event of events) {
    const { action, person } = event;
    if (action.type === 'message') {
      if (action.text) {
        transcript.push({ kind: 'person', speakerId: person.id, speakerName: person.displayName, text: action.text, at: event.receivedAt, stage: state.meta.stage, round: state.meta.round });
      }
      if (closing()) continue;
      // Images are looked at before the next turns, in the order they arrived.
      const firstNonImage = agenda.findIndex((step) => step.kind !== 'image-describe' && step.kind !== 'image-story');
      const insertAt = firstNonImage === -1 ? agenda.length : firstNonImage;
      agenda.splice(insertAt, 0, ...action.images.map((image): Step => ({ kind: 'image-describe', image, from: person })));
      const discussionAhead = agenda.some((step) => step.kind === 'turn');
      if (action.text && !discussionAhead && !pollPending()) {
        const addressed = state.panel.personas.find((persona) => mentionsPersona(action.text, persona.displayName, persona.id));
        const persona = addressed ?? state.panel.personas[replyCursor % state.panel.personas.length];
        if (!addressed) replyCursor++;
        if (persona) agenda.push({ kind: 'turn', personaId: persona.id, round: state.meta.round, reason: 'reply' });
      }
      continue;
    }
    if (closing()) continue;
    switch (action.type) {
      case 'vote-open':
        if (state.pollOpen || pollPending()) {
          agenda.push({ kind: 'notice', text: 'A vote is already open or being prepared.' });
          break;
        }
        agenda = agenda.filter((step) => !isAutomatic(step));
        for (const persona of state.panel.personas) agenda.push({ kind: 'keywords', personaId: persona.id });
        agenda.push({ kind: 'poll-open' });
        for (const persona of state.panel.personas) agenda.push({ kind: 'persona-ballot', personaId: persona.id });
        break;
      case 'vote-close':
        agenda.push({ kind: 'poll-close', by: person });
        break;
      case 'ballot':
        // Ballots are applied at once, to the poll they name (Roundtable.submit), never queued.
        break;
      case 'switch':
        agenda = agenda.filter((step) => !isAutomatic(step));
        agenda.push({ kind: 'switch-roles' });
        break;
      case 'imagine':
        agenda.push({ kind: 'imagine', prompt: action.prompt, from: person });
        break;
      case 'end':
        agenda = [{ kind: 'closing', by: person }];
        break;
    }
  }
  return { agenda, transcript, replyCursor };
}

/** "Bayar, what do you think?" addresses Bayar (first name or full display name, any case). */
export function mentionsPersona(text: string, displayName: string, id: string): boolean {
  const lower = text.toLowerCase();
  const firstName = displayName.split(/[\s(（]/)[0]?.toLowerCase() ?? '';
  const inner = /[(（]([^)）]+)[)）]/.exec(displayName)?.[1]?.toLowerCase();
  return [displayName.toLowerCase(), firstName, inner, id.toLowerCase()].some((name) => {
    if (name === undefined || name.length < 2) return false;
    // Latin names must stand as words ("Li" is not in "like"); CJK names have no word breaks.
    if (/^[\x20-\x7e]+$/.test(name)) return new RegExp(`(^|[^\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
    return lower.includes(name);
  });
}
