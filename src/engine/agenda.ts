/**
 * The session's agenda: the ordered steps still to run. Pure functions: the initial plan, and
 * how inbox actions (people's messages and commands, in arrival order) change it.
 *
 * Policy: people's messages never cancel anything — they join the transcript and the next
 * persona turn answers them all, in order, however many arrived while a persona was writing
 * (one reply turn per idle spell, not one per message). A message addressed to one persona (its
 * `addressedTo`, or a message that starts with the persona's name) makes that persona answer
 * next — after the images being looked at, before the rest, whose order stays — unless it is
 * muted (the moderator says so). While the panel is paused (`/pause`) a message addressed to no
 * one is recorded and answered by nobody; otherwise, when the panel is idle, one speaking
 * persona is asked to reply (one it mentions, else the next in rotation). Commands change the
 * plan through their own `plan` (declared in their file in commands/, over an AgendaPlanner);
 * once closing is planned, nothing more is.
 */
import type { InboxEvent } from '../adapter/inbound-event.ts';
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { ImageReference } from '../adapter/inbound-event.ts';
import type { CommandRegistry } from '../command-core/command-contract.ts';
import { t } from '../i18n/translate.ts';
import { frontIndex, plannerOver, roundSteps, type AgendaPlanner, type PlannerState, type SessionSettings } from './agenda-planner.ts';
import { addressedByName, isMuted } from './speakers.ts';

export function initialAgenda(panel: Panel, rounds: number, images: ImageReference[], from: InboxEvent['person']): Step[] {
  const steps: Step[] = [{ kind: 'opening' }];
  for (const persona of panel.personas) steps.push({ kind: 'introduction', personaId: persona.id });
  for (const image of images) steps.push({ kind: 'image-describe', image, from });
  for (let round = 1; round <= rounds; round++) steps.push(...roundSteps(panel.personas, round));
  if (rounds > 0) steps.push({ kind: 'pause' });
  return steps;
}

export interface InboxResult {
  agenda: Step[];
  /** Person messages to append to the transcript, in order. */
  transcript: TranscriptEntry[];
  replyCursor: number;
  /** Settings the requests changed (`paused`, `muted`), to hold from this step on. */
  meta: SessionSettings;
}

export interface InboxState extends PlannerState {
  agenda: Step[];
}

/** Requests queued before commands had their own registry, read as commands. */
function legacyCommand(action: { type: string; prompt?: unknown }): { name: string; options: Record<string, unknown> } | undefined {
  switch (action.type) {
    case 'vote-open':
      return { name: 'vote', options: { action: 'open' } };
    case 'vote-close':
      return { name: 'vote', options: { action: 'close' } };
    case 'switch':
      return { name: 'switch', options: {} };
    case 'imagine':
      return { name: 'imagine', options: { prompt: typeof action.prompt === 'string' ? action.prompt : '' } };
    case 'end':
      return { name: 'end', options: {} };
    default:
      return undefined;
  }
}

export function applyInbox(state: InboxState, events: InboxEvent[], commands: CommandRegistry): InboxResult {
  const agenda = { steps: [...state.agenda] };
  const planner = plannerOver(state, agenda);
  const transcript: TranscriptEntry[] = [];
  let replyCursor = state.meta.replyCursor;
  const closing = () => agenda.steps.some((step) => step.kind === 'closing');
  const pollPending = () => agenda.steps.some((step) => step.kind === 'poll-open' || step.kind === 'keywords');

  for (const event of events) {
    const { action, person } = event;
    if (action.type === 'message') {
      if (action.text) {
        transcript.push({ kind: 'person', speakerId: person.id, speakerName: person.displayName, text: action.text, at: event.receivedAt, stage: state.meta.stage, round: state.meta.round });
      }
      if (closing()) continue;
      // Images are looked at before the next turns, in the order they arrived.
      agenda.steps.splice(frontIndex(agenda.steps), 0, ...action.images.map((image): Step => ({ kind: 'image-describe', image, from: person })));
      const addressed = addressedPersona(planner, action);
      if (addressed) {
        if (isMuted(planner.meta, addressed.id)) planner.noticeNext(t(planner.meta.language, 'ask.muted', { name: addressed.displayName, unmute: planner.usage('unmute', '<persona>') }));
        else planner.askNext(addressed.id);
        continue;
      }
      const discussionAhead = agenda.steps.some((step) => step.kind === 'turn');
      if (action.text && !planner.meta.paused && !discussionAhead && !pollPending()) {
        const speakers = planner.speakers();
        const mentioned = speakers.find((persona) => mentionsPersona(action.text, persona.displayName, persona.id));
        const next = mentioned ? undefined : nextInRotation(state.panel, planner.meta, replyCursor);
        if (next) replyCursor = next.cursor;
        const persona = mentioned ?? next?.persona;
        if (persona) agenda.steps.push({ kind: 'turn', personaId: persona.id, round: state.meta.round, reason: 'reply' });
      }
      continue;
    }
    // Ballots are applied at once, to the poll they name (Roundtable.submit), never queued.
    if (action.type === 'ballot' || closing()) continue;
    const request = action.type === 'command' ? { name: action.name, options: action.options } : legacyCommand(action as { type: string });
    if (!request) continue;
    commands.get(request.name)?.plan?.(planner, { person, options: request.options });
  }
  return { agenda: agenda.steps, transcript, replyCursor, meta: planner.changes };
}

/** The persona a message asks: its `addressedTo` (a reply, a button, `/ask`), else the name it starts with. */
function addressedPersona(planner: AgendaPlanner, action: { text: string; addressedTo?: string }): Persona | undefined {
  if (action.addressedTo) return planner.panel.personas.find((persona) => persona.id === action.addressedTo);
  return action.text ? addressedByName(action.text, planner.panel.personas) : undefined;
}

/** The next speaking persona in the reply rotation from `cursor`, and the cursor after it (muted ones are passed over). */
function nextInRotation(panel: Panel, meta: SessionMeta, cursor: number): { persona: Persona; cursor: number } | undefined {
  const count = panel.personas.length;
  for (let step = 0; step < count; step++) {
    const persona = panel.personas[(cursor + step) % count];
    if (persona && !isMuted(meta, persona.id)) return { persona, cursor: cursor + step + 1 };
  }
  return undefined;
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
