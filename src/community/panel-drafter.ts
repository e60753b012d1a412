/**
 * `/panel new <what the panel is for>`: the chat model drafts a whole panel — 4 to 8 personas
 * (at most COMMUNITY_PANEL_PERSONAS_MAX) with names, roles, backgrounds and speaking styles, no
 * two in the same role. The model writes the people; ids and role ids are made here from what it
 * wrote (panel-ids.ts), and over-long fields are cut at a word, so a model that ignores a length
 * costs nothing. A draft that still fails the checks every saved panel passes
 * (`validateCommunityPanel`: duplicate roles or names …) is drafted once more with the problems
 * named; a second failure is refused, never saved half-valid.
 */
import { z } from 'zod';
import { TableRoundError } from '../errors.ts';
import type { ChatMessage, ModelGateway } from '../models/model-gateway.ts';
import { clipText } from '../prompts/sentence-cut.ts';

/** Trimmed, and cut at a word with `…` when longer than `max`. */
const fit = (text: string, max: number) => clipText(text.trim(), max);
import { slugOrHash, uniqueId } from '../panels/panel-ids.ts';
import type { CommunityPanel } from './community-panels.ts';

/** What the model answers: the people, in speaking order. */
export const draftAnswerSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  personas: z
    .array(
      z.object({
        displayName: z.string().min(1),
        roleTitle: z.string().min(1),
        roleFocus: z.string().min(1),
        background: z.string().min(1),
        speakingStyle: z.string().min(1),
      }),
    )
    .min(2),
});

export type DraftAnswer = z.infer<typeof draftAnswerSchema>;

export interface DraftRequest {
  /** What the panel is for, as the manager wrote it. */
  purpose: string;
  /** Personas: [least, most]. */
  personas: readonly [number, number];
  /** Panel ids already taken (built-in and the community's): the draft's id avoids them. */
  takenPanelIds: ReadonlySet<string>;
  /** The checks a saved panel passes; throws a `panel_invalid` TableRoundError naming the problems. */
  validate(panel: unknown): CommunityPanel;
}

/** Field lengths of the panel schemas. */
const limits = { name: 80, description: 400, displayName: 60, roleTitle: 60, roleFocus: 400, background: 1_200, speakingStyle: 400 } as const;

function draftMessages(request: DraftRequest, problems?: string): ChatMessage[] {
  const [least, most] = request.personas;
  return [
    {
      role: 'system',
      content: [
        'You design panels for a roundtable discussion bot: a small cast of distinct people who discuss topics together, each from their own role.',
        `Draft a panel of ${least} to ${most} personas for what the request asks. Every persona has a different role; together they should disagree usefully.`,
        'For each persona give: displayName (a person’s name, at most 60 characters), roleTitle (at most 60), roleFocus (what this role contributes to a discussion, one or two sentences), background (who they are, 2–4 sentences), speakingStyle (how they talk, one sentence).',
        'Also give the panel a short name and a one-sentence description.',
        'Write in the language the request is written in. Do not use @, # or : in names.',
        'Answer with JSON: {"name": "...", "description": "...", "personas": [{"displayName": "...", "roleTitle": "...", "roleFocus": "...", "background": "...", "speakingStyle": "..."}]}.',
      ].join('\n'),
    },
    { role: 'user', content: `Request: ${request.purpose}${problems ? `\n\nYour last draft could not be used: ${problems}. Draft it again and fix that.` : ''}` },
  ];
}

/** The model's people as a panel: ids and role ids made from their names and titles, fields cut to the schema's lengths. */
export function panelFromAnswer(answer: DraftAnswer, request: Pick<DraftRequest, 'personas' | 'takenPanelIds'>): unknown {
  const takenIds = new Set<string>();
  const personas = answer.personas.slice(0, request.personas[1]).map((persona) => {
    const id = uniqueId(slugOrHash(persona.displayName, 40, 'persona'), takenIds);
    takenIds.add(id);
    // Not made unique: two personas in one role is what the draft's check refuses.
    const role = slugOrHash(persona.roleTitle, 40, 'role');
    return {
      id,
      displayName: fit(persona.displayName, limits.displayName),
      role,
      roleTitle: fit(persona.roleTitle, limits.roleTitle),
      roleFocus: fit(persona.roleFocus, limits.roleFocus),
      background: fit(persona.background, limits.background),
      speakingStyle: fit(persona.speakingStyle, limits.speakingStyle),
    };
  });
  const id = uniqueId(slugOrHash(answer.name, 40, 'panel', '-'), request.takenPanelIds, 40, '-');
  return { id, name: fit(answer.name, limits.name), description: fit(answer.description, limits.description), personas };
}

/**
 * Drafts a panel; the model's usage goes to `onUsage`. Throws `model_bad_output` when two drafts
 * in a row fail the checks, and the gateway's errors as they are.
 */
export async function draftPanel(models: Pick<ModelGateway, 'json'>, request: DraftRequest, context: { onUsage?: (usage: { promptTokens: number; completionTokens: number }, model: string) => void | Promise<void>; signal?: AbortSignal }): Promise<CommunityPanel> {
  let problems: string | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const answer = await models.json(draftAnswerSchema, 'panel_draft', { messages: draftMessages(request, problems), maxTokens: 3_000, temperature: 0.9, ...context });
    const panel = panelFromAnswer(answer.value, request);
    const fewest = request.personas[0];
    try {
      if (answer.value.personas.length < fewest) throw new TableRoundError('panel_invalid', `draft has ${answer.value.personas.length} personas`, { publicMessage: `it had ${answer.value.personas.length} personas, fewer than ${fewest}` });
      return request.validate(panel);
    } catch (error) {
      if (!(error instanceof TableRoundError) || error.code !== 'panel_invalid') throw error;
      problems = error.publicMessage.replace(/^That panel is not valid: /, '').replace(/\.$/, '');
    }
  }
  throw new TableRoundError('model_bad_output', `two panel drafts failed the checks: ${problems}`, {
    publicMessage: `The model's draft was not a usable panel twice (${problems}). Try /panel new again, perhaps describing the panel differently.`,
  });
}
