import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import type { SessionStatus } from '../src/engine/roundtable-service.ts';

const schema = z.object({});

export function formatStatus(status: SessionStatus): string {
  const lines = [
    `**${status.topic}** — ${status.ended ? 'ended' : `stage ${status.stage}, round ${status.round} of ${status.autoRounds} automatic`}`,
    `Panel: ${status.panelName} — ${status.personas.map((persona) => `${persona.displayName} (${persona.switchedRole ? `${persona.role} → ${persona.switchedRole}` : persona.role})`).join(', ')}`,
    `Queue: ${status.pendingSteps} step(s) planned, ${status.pendingActions} request(s) waiting${status.queuePosition === undefined ? '' : status.queuePosition === 0 ? ', running now' : `, ${status.queuePosition} job(s) ahead`}`,
    `Tokens: ${status.tokens.prompt} in, ${status.tokens.completion} out (${status.tokens.calls} model calls)`,
    `Concept images: ${status.images.generated} of ${status.images.limit}`,
  ];
  if (status.poll) lines.push(`Vote: ${status.poll.status}, ${status.poll.peopleVoters} people and ${status.poll.personaVoters} panelists voted`);
  if (status.votedKeywords.length) lines.push(`Voted keywords: ${status.votedKeywords.join(', ')}`);
  return lines.join('\n');
}

const statusCommand: CommandDefinition<z.infer<typeof schema>> = {
  name: 'status',
  description: 'Show the stage, round, panel, queue and tokens spent',
  options: [],
  schema,
  permission: 'anyone',
  usages: [{ says: 'stage, round, panel, queue, tokens and images' }],
  hintInSession: true,
  requiresSession: true,
  async execute(context) {
    const status = await context.roundtable.status(context.sessionId!);
    return { text: status ? formatStatus(status) : 'No roundtable here.', visibility: 'ephemeral' };
  },
};

export default statusCommand;
