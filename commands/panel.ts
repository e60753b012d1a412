import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { CommandContext, CommandDefinition, CommandReply } from './command.ts';
import { communityAdmin } from './shared/community-admin.ts';
import { TableRoundError } from '../src/errors.ts';
import { editableFields, type EditableField, type PanelDraft } from '../src/community/community-admin.ts';
import type { Panel } from '../src/panels/panel-schema.ts';
import type { ImageReference } from '../src/adapter/inbound-event.ts';
import type { ReplyChoice } from '../src/command-core/command-contract.ts';
import { MAX_CARD_BYTES } from '../src/panels/character-card.ts';

const ephemeral = (text: string): CommandReply => ({ text, visibility: 'ephemeral' });
const actions = ['list', 'show', 'json', 'new', 'keep', 'again', 'discard', 'edit', 'form', 'persona', 'save', 'delete', 'import'] as const;

const schema = z.object({
  action: z.enum(actions).default('list'),
  /** `show`/`delete`/`import`: the panel id, then (`import`) the card; `save`: the panel's JSON. */
  args: z.string().trim().max(6_000).optional(),
  /** `import`: the attached card file's reference (the adapter's, as JSON; never typed). */
  card: z.string().max(4_000).optional(),
  /** `persona`: the edit form's values as JSON (a modal's submission; never typed). */
  form: z.string().max(8_000).optional(),
});

/** A persona's edit form: what each field is called and how long it may be (the panel schema's limits). */
const formFields: { id: EditableField; label: string; multiline: boolean; maxLength: number }[] = [
  { id: 'displayName', label: 'Name', multiline: false, maxLength: 60 },
  { id: 'roleTitle', label: 'Role', multiline: false, maxLength: 60 },
  { id: 'roleFocus', label: 'What the role brings', multiline: true, maxLength: 400 },
  { id: 'background', label: 'Background', multiline: true, maxLength: 1_200 },
  { id: 'speakingStyle', label: 'Speaking style', multiline: true, maxLength: 400 },
];

function parseForm(text: string | undefined): Partial<Record<EditableField, string>> {
  try {
    const parsed = JSON.parse(text ?? '') as Record<string, unknown>;
    return Object.fromEntries(editableFields.filter((field) => typeof parsed[field] === 'string').map((field) => [field, parsed[field] as string]));
  } catch {
    throw new TableRoundError('bad_command', 'form not JSON', { publicMessage: 'That form came back unreadable; open it again.' });
  }
}

function firstWord(args: string | undefined, usage: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(args ?? '');
  if (!match) throw new TableRoundError('bad_command', `missing argument: ${usage}`, { publicMessage: `Use ${usage}.` });
  return [match[1]!, match[2]!];
}

/**
 * A card as the person gave it: JSON text; in the terminal (the person is at the bot's own
 * machine) also the path of a `.json` or `.png` file. Never a path from a chat platform.
 */
async function cardInput(context: CommandContext, text: string): Promise<Uint8Array | string> {
  if (text.startsWith('{')) return text;
  if (context.address.platform !== 'terminal') throw new TableRoundError('bad_command', 'card not JSON', { publicMessage: 'Paste the character card’s JSON after the panel id.' });
  const path = text.replace(/^["']|["']$/g, '');
  const size = (await stat(path).catch(() => undefined))?.size;
  if (size === undefined) throw new TableRoundError('bad_command', `no file ${path}`, { publicMessage: `There is no file “${path.slice(0, 80)}”.` });
  if (size > MAX_CARD_BYTES) throw new TableRoundError('card_invalid', `card file ${size} B`, { publicMessage: 'That file is larger than a character card can be (8 MB).' });
  return new Uint8Array(await readFile(path));
}

/** An attached file's reference as the adapter gave it (a platform URL), or a refusal. */
function fileReference(json: string): ImageReference {
  try {
    const parsed = JSON.parse(json) as Partial<ImageReference>;
    if (parsed.kind === 'url' && typeof parsed.location === 'string' && typeof parsed.filename === 'string') {
      return { kind: 'url', location: parsed.location, filename: parsed.filename, ...(typeof parsed.size === 'number' ? { size: parsed.size } : {}) };
    }
  } catch {
    // refused below
  }
  throw new TableRoundError('bad_command', 'bad attachment reference', { publicMessage: 'That attachment could not be read; attach the card again.' });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TableRoundError('bad_command', 'panel JSON invalid', { publicMessage: 'That is not valid JSON: give the panel as {"id", "name", "description", "personas": [...]}.' });
  }
}

/**
 * `/panel`: the community's panels beside the built-in ones. Everyone lists and shows; managers
 * save (the panel as JSON — a new one, or a new version of the community's own), import a
 * persona from a character card, and delete. A community never sees another's panels.
 */
/** A panel as `/panel save` takes it back. */
function panelJson(shown: Panel): string {
  const personas = shown.personas.map(({ id, displayName, role, roleTitle, roleFocus, background, speakingStyle, emoji }) => ({ id, displayName, role, roleTitle, roleFocus, background, speakingStyle, emoji }));
  return JSON.stringify({ id: shown.id, name: shown.name, description: shown.description, personas });
}

/** A draft one persona a line, as the manager decides on it. */
function describeDraft(draft: PanelDraft): string {
  const { panel: drafted } = draft;
  const personas = drafted.personas.map((persona, index) => `${index + 1}. ${persona.displayName} — ${persona.roleTitle}: ${persona.roleFocus}`);
  return `Draft for “${draft.purpose}”: ${drafted.name} (${drafted.id})\n${drafted.description}\n${personas.join('\n')}\nSave it, draft again, or cancel.`;
}

function draftChoices(draftId: string): ReplyChoice[] {
  return [
    { label: 'Save', typed: 'save', command: 'panel', options: { action: 'keep', args: draftId }, style: 'primary' },
    { label: 'Regenerate', typed: 'again', command: 'panel', options: { action: 'again', args: draftId }, style: 'secondary' },
    { label: 'Cancel', typed: 'cancel', command: 'panel', options: { action: 'discard', args: draftId }, style: 'danger' },
  ];
}

const panel: CommandDefinition<z.infer<typeof schema>> = {
  name: 'panel',
  description: 'List, show, save, import into or delete this community’s panels',
  descriptionIn: { zh: '列出、查看、保存、导入或删除本社区的嘉宾组' },
  options: [
    { name: 'action', description: 'list (default), show, json, new, save, delete or import', type: 'string', required: false, choices: actions },
    { name: 'args', description: 'The panel id (and a card to import), what a new panel is for, or the panel JSON to save', type: 'string', required: false, maxLength: 6_000, text: 'rest' },
    { name: 'card', description: 'import: a character card file (JSON or PNG)', type: 'attachment', required: false },
  ],
  schema,
  permission: 'anyone',
  requiresSession: false,
  usages: [
    { says: 'list the panels this community can use', saysIn: { zh: '列出本社区可用的嘉宾组' } },
    { args: 'show <id>', says: 'show a panel’s personas', saysIn: { zh: '查看一个嘉宾组的成员' } },
    { args: 'json <id>', says: 'a panel as JSON, to edit and save again', saysIn: { zh: '以 JSON 给出一个嘉宾组，便于修改后再保存' } },
    { args: 'new <what the panel is for>', says: 'managers: the model drafts a panel to save, draft again or cancel', saysIn: { zh: '管理员：由模型起草一个嘉宾组，可保存、重写或取消' } },
    { args: 'edit <id>', says: 'managers: change one persona of a panel (a form; JSON in the terminal)', saysIn: { zh: '管理员：修改嘉宾组里的一位嘉宾（表单；终端里用 JSON）' } },
    { args: 'save <panel JSON>', says: 'managers: save a panel of this community’s', saysIn: { zh: '管理员：保存本社区的嘉宾组' } },
    { args: 'import <id> <card>', says: 'managers: add a persona from a character card', saysIn: { zh: '管理员：从角色卡导入一位嘉宾' } },
    { args: 'delete <id>', says: 'managers: delete a panel of this community’s', saysIn: { zh: '管理员：删除本社区的嘉宾组' } },
  ],
  async execute(context, options) {
    const admin = communityAdmin(context);
    const { address, person } = context;
    switch (options.action) {
      case 'list': {
        const panels = await admin.listPanels(address);
        const line = (summary: (typeof panels)[number]) =>
          `• ${summary.id} — ${summary.name} (${summary.personas} personas${summary.builtIn ? ', built in' : `, v${summary.version} by ${summary.updatedBy}`})`;
        return ephemeral(`Panels here:\n${panels.map(line).join('\n')}`);
      }
      case 'show': {
        const [id] = firstWord(options.args, '/panel show <id>');
        const { panel: shown, record } = await admin.requirePanel(address, id);
        const personas = shown.personas.map((persona, index) => `${index + 1}. ${persona.displayName} — ${persona.roleTitle}: ${persona.roleFocus}`);
        const origin = record ? `version ${record.version}, last changed by ${record.updatedBy.displayName}` : 'built in';
        return ephemeral(`${shown.name} (${shown.id}, ${origin})\n${shown.description}\n${personas.join('\n')}`);
      }
      case 'json': {
        const [id] = firstWord(options.args, '/panel json <id>');
        // A built-in panel's JSON saved under a new id becomes the community's own copy to change.
        return ephemeral(panelJson((await admin.requirePanel(address, id)).panel));
      }
      case 'new':
      case 'again': {
        const draft = options.action === 'new' ? await admin.draft(address, person, options.args ?? '') : await admin.redraft(address, person, firstWord(options.args, '/panel again <draft>')[0]);
        return { ...ephemeral(describeDraft(draft)), choices: draftChoices(draft.draftId) };
      }
      case 'keep': {
        const record = await admin.keepDraft(address, person, firstWord(options.args, '/panel keep <draft>')[0]);
        return ephemeral(`Saved panel ${record.panel.id} (version ${record.version}, ${record.panel.personas.length} personas). Make it this channel's default with /config set panel ${record.panel.id}.`);
      }
      case 'discard': {
        const discarded = await admin.discardDraft(address, person, firstWord(options.args, '/panel discard <draft>')[0]);
        return ephemeral(discarded ? 'Draft cancelled.' : 'That draft was already saved, cancelled or expired.');
      }
      case 'edit': {
        const [id] = firstWord(options.args, '/panel edit <id>');
        const { panel: shown, record } = await admin.requirePanel(address, id);
        if (!record) return ephemeral(`“${id}” is a built-in panel: get it with /panel json ${id}, then /panel save it under a new id to have a copy of your own.`);
        if (!person.managesCommunity) return ephemeral("Only the community's managers can change panels.");
        // The terminal has no forms: the panel's JSON goes out, and comes back with /panel save.
        if (address.platform === 'terminal') return ephemeral(`Change what you need in this JSON and send it back with /panel save:\n${panelJson(shown)}`);
        const choices = shown.personas.map((persona): ReplyChoice => ({ label: `Edit ${persona.displayName}`.slice(0, 80), typed: persona.id, command: 'panel', options: { action: 'form', args: `${id} ${persona.id}` } }));
        return { ...ephemeral(`Which persona of ${shown.name} (version ${record.version})?`), choices };
      }
      case 'form': {
        const [id, rest] = firstWord(options.args, '/panel form <id> <persona>');
        const { record } = await admin.requirePanel(address, id);
        const persona = record?.panel.personas.find((candidate) => candidate.id === rest.trim());
        if (!record || !persona) return ephemeral(`${id} has no persona “${rest.trim().slice(0, 40)}” to edit.`);
        if (!person.managesCommunity) return ephemeral("Only the community's managers can change panels.");
        return {
          ...ephemeral(`Use /panel json ${id} and /panel save to change ${persona.displayName}.`),
          form: {
            title: `Edit ${persona.displayName}`.slice(0, 45),
            command: 'panel',
            options: { action: 'persona', args: `${id} ${persona.id} ${record.version}` },
            fields: formFields.map((field) => ({ ...field, value: persona[field.id] })),
          },
        };
      }
      case 'persona': {
        const [id, rest] = firstWord(options.args, '/panel persona <id> <persona> <version>');
        const [personaId, version] = rest.split(/\s+/);
        const record = await admin.editPersona(address, person, id, personaId ?? '', parseForm(options.form), Number(version));
        const edited = record.panel.personas.find((persona) => persona.id === personaId);
        return ephemeral(`Saved ${edited?.displayName ?? personaId} in ${record.panel.id} (version ${record.version}).`);
      }
      case 'save': {
        const record = await admin.savePanel(address, person, parseJson(options.args ?? ''));
        return ephemeral(`Saved panel ${record.panel.id} (version ${record.version}, ${record.panel.personas.length} personas). Make it this channel's default with /config set panel ${record.panel.id}.`);
      }
      case 'import': {
        const [id, rest] = firstWord(options.args, '/panel import <id> <card JSON or file>');
        const attached = options.card ? fileReference(options.card) : undefined;
        if (!rest && !attached) throw new TableRoundError('bad_command', 'import without a card', { publicMessage: 'Attach the character card file, or give its JSON after the panel id.' });
        const card = attached ? await admin.fetchCard(address, person, attached) : await cardInput(context, rest);
        const { record, imported } = await admin.importPersona(address, person, id, card);
        const left = imported.dropped.length ? ` Not carried over: ${imported.dropped.join(', ')}.` : '';
        const notes = imported.notes.length ? ` ${imported.notes.join('; ')}.` : '';
        return ephemeral(`Added ${imported.persona.displayName} (${imported.persona.id}) to ${record.panel.id}, now version ${record.version}.${left}${notes}`);
      }
      case 'delete': {
        const [id] = firstWord(options.args, '/panel delete <id>');
        await admin.deletePanel(address, person, id);
        return ephemeral(`Deleted panel ${id}. Sessions running with it keep it until they end.`);
      }
    }
  },
};

export default panel;
