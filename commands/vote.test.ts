import { describe, expect, it } from 'vitest';
import { plannerOver } from '../src/engine/agenda-planner.ts';
import { loadPanel } from '../src/panels/panel-loader.ts';
import type { SessionMeta, Step } from '../src/session/session-types.ts';
import type { SessionAction } from '../src/adapter/inbound-event.ts';
import type { RoundtableService, SessionStatus } from '../src/engine/roundtable-service.ts';
import type { CommandContext } from './command.ts';
import vote from './vote.ts';

const panel = loadPanel('prompts/panels/product-strategy');
const ana = { id: 'u1', displayName: 'Ana' };
const meta = {
  sessionId: 'terminal:c:t', topic: 'A lamp', panelId: panel.id, stage: 'paused', round: 1, autoRounds: 1, status: 'active',
  starter: ana, createdAt: 1, updatedAt: 5_000, seq: 3, epoch: 0, revivals: 0, agenda: [], roleMap: {},
  rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
} satisfies SessionMeta;

/** Runs `/vote` against a session in `state`; returns the answer and what was queued. */
async function run(options: { action: 'open' | 'close'; pollId?: string }, state: { stage?: SessionStatus['stage']; pendingSteps?: number; poll?: { pollId: string; status: 'open' | 'closed' } }) {
  const queued: SessionAction[] = [];
  const status = { stage: state.stage ?? 'paused', pendingSteps: state.pendingSteps ?? 0, poll: state.poll } as unknown as SessionStatus;
  const roundtable = {
    status: async () => status,
    mayManage: async () => true,
    submit: async (_sessionId: string, _person: unknown, action: SessionAction) => {
      queued.push(action);
      return { outcome: 'queued' as const };
    },
  } as unknown as RoundtableService;
  const context: CommandContext = { roundtable, person: ana, address: { platform: 'terminal', channel: 'c', thread: 't' }, sessionId: meta.sessionId, language: 'en' };
  const reply = await vote.execute(context, options);
  return { answer: reply.text, queued };
}

describe('/vote answers once, at once', () => {
  it('refuses what there is nothing to do for, queueing nothing', async () => {
    expect(await run({ action: 'close' }, {})).toEqual({ answer: 'There is no open vote to close.', queued: [] });
    expect(await run({ action: 'open' }, { poll: { pollId: 'p1', status: 'open' } })).toEqual({ answer: 'A vote is already open or being prepared.', queued: [] });
    expect(await run({ action: 'open' }, { stage: 'keywords', pendingSteps: 3 })).toEqual({ answer: 'A vote is already open or being prepared.', queued: [] });
    // A button's poll that is over (a newer one is open).
    expect(await run({ action: 'close', pollId: 'p1' }, { poll: { pollId: 'p2', status: 'open' } })).toEqual({ answer: 'This vote is closed.', queued: [] });
  });

  it('queues a close naming the poll open now, or the vote still being prepared', async () => {
    expect(await run({ action: 'close' }, { poll: { pollId: 'p2', status: 'open' } })).toEqual({ answer: 'Closing the vote…', queued: [{ type: 'command', name: 'vote', options: { action: 'close', pollId: 'p2' } }] });
    expect((await run({ action: 'close' }, { stage: 'keywords', pendingSteps: 2 })).queued).toEqual([{ type: 'command', name: 'vote', options: { action: 'close' } }]);
  });

  it('plans the close of the poll it names', () => {
    const agenda: { steps: Step[] } = { steps: [] };
    vote.plan!(plannerOver({ panel, meta, pollOpen: true }, agenda), { person: ana, options: { action: 'close', pollId: 'p2' } });
    expect(agenda.steps).toEqual([{ kind: 'poll-close', by: ana, pollId: 'p2' }]);
  });
});
