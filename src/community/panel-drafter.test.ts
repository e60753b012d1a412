import { describe, expect, it } from 'vitest';
import { TableRoundError } from '../errors.ts';
import { draftPanel, type DraftAnswer } from './panel-drafter.ts';
import { validateCommunityPanel } from './community-panels.ts';

const person = (displayName: string, roleTitle: string) => ({ displayName, roleTitle, roleFocus: `The ${roleTitle} view.`, background: `${displayName} works as ${roleTitle}.`, speakingStyle: 'Plain.' });
const good: DraftAnswer = { name: 'Harbour', description: 'People of a harbour.', personas: [person('Ada Fisher', 'Fisher'), person('Bo Pilot', 'Pilot'), person('Cy Trader', 'Trader'), person('Di Guard', 'Coast guard')] };
const twoRoles: DraftAnswer = { ...good, personas: [person('Ada Fisher', 'Fisher'), person('Ada Fisher', 'Pilot'), person('Cy Trader', 'Trader'), person('Di Guard', 'Coast guard')] };

/** A model that answers each draft call with the next of `answers`, recording the prompts. */
function modelAnswering(...answers: DraftAnswer[]) {
  const prompts: string[] = [];
  return {
    prompts,
    json: async (_schema: unknown, name: string, request: { messages: { content: unknown }[] }) => {
      expect(name).toBe('panel_draft');
      prompts.push(request.messages.map((message) => String(message.content)).join('\n'));
      const value = answers.shift();
      if (!value) throw new Error('no more answers');
      return { value, usage: { promptTokens: 10, completionTokens: 20 }, outcome: 'accepted' as const, finishReason: 'stop' as const };
    },
  };
}

const request = { purpose: 'a harbour town', personas: [4, 8] as const, takenPanelIds: new Set(['harbour']), validate: (panel: unknown) => validateCommunityPanel(panel, { panels: 20, personas: 8 }, new Set(['design-workshop']), { distinctRoles: true }) };

describe('drafting a panel', () => {
  it('makes ids from the names and titles the model wrote, avoiding taken panel ids', async () => {
    const panel = await draftPanel(modelAnswering(good) as never, request, {});
    expect(panel.id).toBe('harbour-2');
    expect(panel.personas.map((persona) => [persona.id, persona.role])).toEqual([['ada_fisher', 'fisher'], ['bo_pilot', 'pilot'], ['cy_trader', 'trader'], ['di_guard', 'coast_guard']]);
  });

  it('drafts once more, naming the problem, when a draft fails the checks a saved panel passes', async () => {
    const model = modelAnswering(twoRoles, good);
    const panel = await draftPanel(model as never, request, {});
    expect(panel.personas).toHaveLength(4);
    expect(model.prompts[1]).toContain('Your last draft could not be used: names: each once (ada fisher twice)');
  });

  it('drafts once more when two personas share a role, which a draft must not', async () => {
    const sameRole: DraftAnswer = { ...good, personas: [person('Ada Fisher', 'Fisher'), person('Bo Pilot', 'fisher'), person('Cy Trader', 'Trader'), person('Di Guard', 'Coast guard')] };
    const model = modelAnswering(sameRole, good);
    expect((await draftPanel(model as never, request, {})).personas.map((persona) => persona.role)).toEqual(['fisher', 'pilot', 'trader', 'coast_guard']);
    expect(model.prompts[1]).toContain('roles: each once (fisher twice)');
  });

  it('refuses after a second bad draft, and never returns a half-valid panel', async () => {
    const error = await draftPanel(modelAnswering(twoRoles, twoRoles) as never, request, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TableRoundError);
    expect((error as TableRoundError).code).toBe('model_bad_output');
    expect((error as TableRoundError).publicMessage).toMatch(/^The model's draft was not a usable panel twice \(names: each once/);
  });

  it('refuses a draft with fewer personas than asked, then accepts a full one', async () => {
    const model = modelAnswering({ ...good, personas: good.personas.slice(0, 2) }, good);
    expect((await draftPanel(model as never, request, {})).personas).toHaveLength(4);
    expect(model.prompts[1]).toContain('it had 2 personas, fewer than 4');
  });
});
