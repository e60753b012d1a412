import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import type { SessionStatus } from '../src/engine/roundtable-service.ts';
import { formatPromptSize } from '../src/engine/prompt-size.ts';
import { joinList, languageNameIn, t } from '../src/i18n/translate.ts';

const schema = z.object({});

/** The status in the session's language (stage names too; counts and names as they are). */
export function formatStatus(status: SessionStatus): string {
  const language = status.language;
  const position = status.queuePosition === undefined ? '' : status.queuePosition === 0 ? t(language, 'status.queueRunning') : t(language, 'status.queueAhead', { jobs: status.queuePosition });
  const personas = status.personas.map((persona) => `${persona.displayName} (${persona.switchedRole ? `${persona.role} → ${persona.switchedRole}` : persona.role})`);
  const lines = [
    status.ended ? t(language, 'status.ended', { topic: status.topic }) : t(language, 'status.running', { topic: status.topic, stage: t(language, `stage.${status.stage}`), round: status.round, rounds: status.autoRounds }),
    t(language, 'status.panel', { panel: status.panelName, personas: joinList(language, personas) }),
    t(language, 'status.queue', { steps: status.pendingSteps, actions: status.pendingActions, position }),
    ...(status.ended ? [] : [status.nextSpeakers?.length ? t(language, 'status.next', { names: joinList(language, status.nextSpeakers) }) : t(language, 'status.nextNone')]),
    ...(status.paused && !status.ended ? [t(language, 'status.paused')] : []),
    ...(status.muted?.length ? [t(language, 'status.muted', { names: joinList(language, status.muted.map((persona) => persona.displayName)) })] : []),
    t(language, 'status.tokens', { prompt: status.tokens.prompt, completion: status.tokens.completion, calls: status.tokens.calls }),
    t(language, 'status.images', { generated: status.images.generated, limit: status.images.limit }),
  ];
  if (status.poll) {
    const state = t(language, status.poll.status === 'open' ? 'status.voteOpen' : 'status.voteClosed');
    lines.push(t(language, 'status.vote', { status: state, people: status.poll.peopleVoters, panel: status.poll.personaVoters }));
  }
  if (status.votedKeywords.length) lines.push(t(language, 'status.votedKeywords', { keywords: joinList(language, status.votedKeywords) }));
  if (status.prompt) lines.push(formatPromptSize(status.prompt));
  if (status.language) lines.push(t(language, status.languageChosen ? 'status.languageChosen' : 'status.languageFollowed', { language: languageNameIn(status.language, language) }));
  return lines.join('\n');
}

const statusCommand: CommandDefinition<z.infer<typeof schema>> = {
  name: 'status',
  description: 'Show the stage, round, panel, queue and tokens spent',
  descriptionIn: { zh: '查看阶段、轮次、嘉宾、队列和令牌用量' },
  options: [],
  schema,
  permission: 'anyone',
  usages: [{ says: 'stage, round, who speaks next, queue, tokens and images', saysIn: { zh: '阶段、轮次、接下来谁发言、队列、令牌和概念图' } }],
  hintInSession: true,
  requiresSession: true,
  async execute(context) {
    const status = await context.roundtable.status(context.sessionId!);
    return { text: status ? formatStatus(status) : t(context.language, 'status.none'), visibility: 'ephemeral' };
  },
};

export default statusCommand;
