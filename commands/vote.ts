import { z } from 'zod';
import type { CommandDefinition, CommandReply } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const ephemeral = (text: string): CommandReply => ({ text, visibility: 'ephemeral' });

const schema = z.object({
  action: z.enum(['open', 'close']).default('open'),
  /** The poll a close is for: a Close button's own poll (never typed; `/vote close` closes the poll open when it is typed). */
  pollId: z.string().max(40).optional(),
});

/**
 * `/vote` and `/vote close`. The person gets one answer, given here: a request with nothing to
 * do (no vote to close, a vote already open or being prepared, a button's vote that is over) is
 * refused at once and never queued. `plan` and the poll-close step check again only for what raced
 * past this check, and a close names its poll, so it can never close a newer one.
 */
const vote: CommandDefinition<z.infer<typeof schema>> = {
  name: 'vote',
  description: 'Open a vote on the keywords the panel drew out, or close it',
  descriptionIn: { zh: '就嘉宾们提炼的关键词发起投票，或结束投票' },
  options: [{ name: 'action', description: 'open (default) or close', type: 'string', required: false, choices: ['open', 'close'] }],
  schema,
  permission: 'anyone',
  requiresSession: true,
  usages: [
    { says: 'the panel draws out keywords and everyone votes', saysIn: { zh: '嘉宾们提炼关键词，大家一起投票' } },
    { args: 'close', says: 'close the vote and show the result', saysIn: { zh: '结束投票并公布结果' } },
  ],
  hintInSession: true,
  spendsTokens: (options) => options.action !== 'close',
  async execute(context, options) {
    const { roundtable, person, language } = context;
    const sessionId = context.sessionId!;
    if (options.action === 'close' && !(await roundtable.mayManage(sessionId, person))) return ephemeral(t(language, 'vote.closeManagersOnly'));
    const status = await roundtable.status(sessionId);
    const open = status?.poll?.status === 'open' ? status.poll : undefined;
    // The keywords are being drawn out: the poll is planned, not open yet.
    const preparing = status?.stage === 'keywords' && status.pendingSteps > 0;
    if (options.action === 'open') {
      if (open || preparing) return ephemeral(t(language, 'vote.alreadyOpen'));
      await roundtable.submit(sessionId, person, { type: 'command', name: 'vote', options: { action: 'open' } });
      return ephemeral(t(language, 'vote.gathering'));
    }
    // A Close button on a poll whose message is up but whose step has not committed it yet
    // (src/engine/poll-opening.ts): the close is planned after it, and closes that very poll.
    const opening = preparing && options.pollId !== undefined && options.pollId === status?.openingPollId;
    if (options.pollId !== undefined && open?.pollId !== options.pollId && !opening) return ephemeral(t(language, 'ballot.voteClosed'));
    if (!open && !preparing) return ephemeral(t(language, 'vote.noneOpen'));
    // A vote still being prepared: its close is planned after its poll opens, and closes that poll.
    const pollId = options.pollId ?? open?.pollId;
    await roundtable.submit(sessionId, person, { type: 'command', name: 'vote', options: { action: 'close', ...(pollId ? { pollId } : {}) } });
    return ephemeral(t(language, 'vote.closing'));
  },
  plan(planner, { person, options }) {
    if (options.action === 'close') {
      planner.append({ kind: 'poll-close', by: person, ...(options.pollId ? { pollId: options.pollId } : {}) });
      return;
    }
    // Raced past the check in `execute` (two `/vote`s at once): said in the thread.
    if (planner.pollOpen || planner.has('poll-open') || planner.has('keywords')) {
      planner.notice(t(planner.meta.language, 'vote.alreadyOpen'));
      return;
    }
    // A vote takes over from the rest of the automatic discussion; muted personas neither propose nor vote.
    planner.dropAutomatic();
    const speakers = planner.speakers();
    for (const persona of speakers) planner.append({ kind: 'keywords', personaId: persona.id });
    planner.append({ kind: 'poll-open' });
    for (const persona of speakers) planner.append({ kind: 'persona-ballot', personaId: persona.id });
  },
};

export default vote;
