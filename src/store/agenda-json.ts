/**
 * A session's agenda as JSON, remembered both ways: the agenda is planned rounds ahead (a
 * discussion of ten rounds of six holds ~50 steps, ~3.7 KB of JSON) and every step read it
 * (`JSON.parse`, ~25 µs) and wrote it back one step shorter (`JSON.stringify`, ~15 µs) — bench:
 * turn-overhead.
 *
 * - `stringify` writes each step's JSON once (by the step object, which the next step's agenda
 *   shares), and remembers the text it wrote with the agenda it wrote it from;
 * - `parse` gives that agenda back for that same text, the commonest case: the step this process
 *   committed is the one it runs next. Other texts are parsed (and remembered too).
 *
 * What it hands out is shared, so it is frozen (the array and each step): a step plans a new
 * agenda (engine/agenda.ts copies it), never changes one in place.
 */
import { BoundedMap } from '../bounded-map.ts';
import type { Step } from '../session/session-types.ts';

/** Agenda texts remembered (a few per session running in this process; ~4 KB each at most). */
const agendasKept = 512;

const byText = new BoundedMap<string, readonly Step[]>(agendasKept);
const stepJson = new WeakMap<Step, string>();

function frozen(agenda: readonly Step[]): readonly Step[] {
  for (const step of agenda) Object.freeze(step);
  return Object.freeze(agenda);
}

/** `JSON.stringify(agenda)`, exactly (a step is a plain JSON object). */
export function stringifyAgenda(agenda: readonly Step[]): string {
  const parts: string[] = [];
  for (const step of agenda) {
    let json = stepJson.get(step);
    if (json === undefined) {
      json = JSON.stringify(step);
      stepJson.set(step, json);
    }
    parts.push(json);
  }
  const text = `[${parts.join(',')}]`;
  byText.set(text, frozen(Object.isFrozen(agenda) ? agenda : [...agenda]));
  return text;
}

/** `JSON.parse(text)` as an agenda: the one remembered for this text, or parsed (frozen). */
export function parseAgenda(text: string): readonly Step[] {
  return byText.remember(text, () => frozen(JSON.parse(text) as Step[]));
}
