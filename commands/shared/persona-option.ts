/**
 * (A helper, not a command: it lives below commands/, which load-commands.ts reads one level deep.)
 * What /mute and /unmute share: the one `persona` option (its name, the rest of the line) and
 * looking it up in the session — the persona, or the answer that lists the names there are
 * (also /ask's answer to a name that is nobody).
 */
import { z } from 'zod';
import type { CommandContext, CommandOptionSpec, CommandReply } from '../../src/command-core/command-contract.ts';
import type { SessionStatus } from '../../src/engine/roundtable-service.ts';
import { findPersona } from '../../src/engine/speakers.ts';
import { joinList, t } from '../../src/i18n/translate.ts';

export const personaSchema = z.object({ persona: z.string().trim().min(1, 'name a persona').max(80) });

export function personaOption(description: string): CommandOptionSpec {
  return { name: 'persona', description, type: 'string', required: true, maxLength: 80, text: 'rest' };
}

/** "There is no X here: A, B and C." in the session's language. */
export function unknownPersona(language: string | undefined, name: string, personas: readonly { displayName: string }[]): CommandReply {
  return { text: t(language, 'ask.unknown', { name: name.slice(0, 40), names: joinList(language, personas.map((persona) => persona.displayName)) }), visibility: 'ephemeral' };
}

type StatusPersona = SessionStatus['personas'][number];

/** The named persona of the session and its status, or the reply saying there is none by that name. */
export async function namedPersona(context: CommandContext, name: string): Promise<{ persona: StatusPersona; status: SessionStatus } | { reply: CommandReply }> {
  const status = await context.roundtable.status(context.sessionId!);
  const personas = status?.personas ?? [];
  const persona = findPersona(personas, name);
  if (!status || !persona) return { reply: unknownPersona(context.language, name, personas) };
  return { persona, status };
}
