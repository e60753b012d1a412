/**
 * Who speaks, and which persona people mean. Pure.
 *
 * A muted persona (`meta.muted`, `/mute`) is left out of everything a persona says or votes on
 * from then on: rounds, replies, image stories, keywords, ballots, reflections.
 */
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { SessionMeta, Step } from '../session/session-types.ts';

/** At least this many personas keep speaking: `/mute` refuses to go below it. */
export const minimumSpeakers = 2;

export function isMuted(meta: Pick<SessionMeta, 'muted'>, personaId: string): boolean {
  return meta.muted?.includes(personaId) ?? false;
}

/** The personas that speak (the panel minus the muted ones), in panel order. */
export function speakingPersonas(panel: Panel, meta: Pick<SessionMeta, 'muted'>): Persona[] {
  return panel.personas.filter((persona) => !isMuted(meta, persona.id));
}

/** The panel as it speaks now: the same panel without its muted personas. */
export function speakingPanel(panel: Panel, meta: Pick<SessionMeta, 'muted'>): Panel {
  return meta.muted?.length ? { ...panel, personas: speakingPersonas(panel, meta) } : panel;
}

/**
 * The names people call a persona by, lower-cased, longest first: its display name, the name
 * before a bracket ("Li Zhiqiang"), the name in it ("李志强"), the first name ("Li"), its id.
 */
export function personaNames(persona: Pick<Persona, 'id' | 'displayName'>): string[] {
  const display = persona.displayName.toLowerCase();
  const beforeBracket = display.split(/[(（]/)[0]?.trim();
  const inner = /[(（]([^)）]+)[)）]/.exec(display)?.[1]?.trim();
  const first = display.split(/[\s(（]/)[0];
  const names = [display, beforeBracket, inner, first, persona.id.toLowerCase()].filter((name): name is string => Boolean(name && name.length >= 2));
  return [...new Set(names)].sort((left, right) => right.length - left.length);
}

type Named = Pick<Persona, 'id' | 'displayName'>;

/** A persona by one of its names or its id, any case; a full name wins over another's first name. */
export function findPersona<P extends Named>(personas: readonly P[], name: string): P | undefined {
  const wanted = name.trim().replace(/^@/, '').toLowerCase();
  if (!wanted) return undefined;
  let best: { persona: P; length: number } | undefined;
  for (const persona of personas) {
    const match = personaNames(persona).find((candidate) => candidate === wanted);
    if (match && (!best || match.length > best.length)) best = { persona, length: match.length };
  }
  return best?.persona;
}

/**
 * The persona a message is addressed to by starting with its name: "Bayar, what about felt?",
 * "@Lin Siyu …", "巴雅尔：…". Latin names must end at a word boundary ("Lin" is not "Linen").
 * The longest name that matches wins.
 */
export function addressedByName<P extends Named>(text: string, personas: readonly P[]): P | undefined {
  return addressedPrefix(text, personas)?.persona;
}

/** `addressedByName`, with the text after the name (separators trimmed): "Li Zhiqiang, costs?" → Li Zhiqiang, "costs?". */
export function addressedPrefix<P extends Named>(text: string, personas: readonly P[]): { persona: P; rest: string } | undefined {
  const start = text.trimStart().replace(/^@/, '');
  const lower = start.toLowerCase();
  let best: { persona: P; length: number } | undefined;
  for (const persona of personas) {
    for (const name of personaNames(persona)) {
      if (!lower.startsWith(name)) continue;
      const next = lower.charAt(name.length);
      if (/^[\x20-\x7e]+$/.test(name) && /[\p{L}\p{N}]/u.test(next)) continue;
      if (!best || name.length > best.length) best = { persona, length: name.length };
      break;
    }
  }
  if (!best) return undefined;
  // A name keeps its case length when lower-cased (names are letters, not ligatures).
  return { persona: best.persona, rest: start.slice(best.length).replace(/^[\s,，:：、.。!！?？-]+/u, '').trim() };
}

/** Who speaks next, from the agenda: the personas of the planned speeches, in order (`limit` at most, no name twice in a row). */
export function upcomingSpeakers(panel: Panel, agenda: readonly Step[], limit = 6): string[] {
  const names: string[] = [];
  for (const step of agenda) {
    if (step.kind !== 'turn' && step.kind !== 'introduction' && step.kind !== 'image-story') continue;
    const name = panel.personas.find((persona) => persona.id === step.personaId)?.displayName ?? step.personaId;
    if (names.at(-1) !== name) names.push(name);
    if (names.length >= limit) break;
  }
  return names;
}
