import { describe, expect, it } from 'vitest';
import { plannerOver } from '../src/engine/agenda-planner.ts';
import { loadPanel } from '../src/panels/panel-loader.ts';
import { idleCloser } from '../src/pipeline/idle-closer.ts';
import type { SessionMeta, Step } from '../src/session/session-types.ts';
import end from './end.ts';

const panel = loadPanel('prompts/panels/product-strategy');
const meta = {
  sessionId: 'terminal:c:t', topic: 'A lamp', panelId: panel.id, stage: 'paused', round: 1, autoRounds: 1, status: 'active',
  starter: { id: 'u1', displayName: 'Ana' }, createdAt: 1, updatedAt: 5_000, seq: 3, epoch: 0, revivals: 0, agenda: [], roleMap: {},
  rollingSummary: '', summarisedThrough: 0, replyCursor: 0, votedKeywords: [], pollCount: 0, tokensPrompt: 0, tokensCompletion: 0, modelCalls: 0,
} satisfies SessionMeta;

function planned(person: { id: string; displayName: string }, options: Record<string, unknown>): Step[] {
  const agenda: { steps: Step[] } = { steps: [{ kind: 'turn', personaId: 'engineer', round: 1, reason: 'reply' }] };
  end.plan!(plannerOver({ panel, meta, pollOpen: false }, agenda), { person, options: options as { idleSince?: number } });
  return agenda.steps;
}

describe('/end', () => {
  it('closes at once when a person asks', () => {
    expect(planned({ id: 'u1', displayName: 'Ana' }, {})).toEqual([{ kind: 'closing', by: { id: 'u1', displayName: 'Ana' } }]);
  });

  it('closes for the idle closer only while the session is still as idle as it found it', () => {
    expect(planned(idleCloser, { idleSince: 5_000 })).toEqual([{ kind: 'closing', by: idleCloser }]);
    // A step committed since the idle close was decided: the session woke up, nothing changes.
    const woke = planned(idleCloser, { idleSince: 4_000 });
    expect(woke).toEqual([{ kind: 'turn', personaId: 'engineer', round: 1, reason: 'reply' }]);
    expect(planned(idleCloser, {})).toEqual(woke);
  });
});
