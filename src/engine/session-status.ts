/**
 * What `/status` and the adapters read about a session: stage, round, panel (with switched roles),
 * tokens, queue position, the poll as people see it, who speaks next, paused and muted panelists,
 * the last prompt's size and the language — and the open poll's message, kept showing the poll
 * as it is (the publisher that coalesces refreshes after people's clicks).
 */
import { installedPanel } from '../community/session-panel.ts';
import { PollPublisher } from '../outbound/poll-publisher.ts';
import { sessionPanel } from '../panels/presets.ts';
import { parseSessionId } from '../session/session-id.ts';
import { sessionLanguage } from '../prompts/session-language.ts';
import { readPollView } from './poll-view.ts';
import { openingPollId } from './poll-opening.ts';
import { roleOf } from './session-context.ts';
import type { RoundtableDependencies } from './roundtable.ts';
import type { SessionStatus } from './roundtable-service.ts';
import { upcomingSpeakers } from './speakers.ts';

export async function readSessionStatus(deps: RoundtableDependencies, sessionId: string): Promise<SessionStatus | undefined> {
  const { store, config } = deps;
  const meta = await store.load(sessionId);
  if (!meta) return undefined;
  const installed = installedPanel(deps.panels, meta);
  const panel = installed && sessionPanel(installed, deps.presets, meta);
  const poll = await store.poll(sessionId);
  const pollView = poll ? await readPollView(store, config, sessionId, poll) : undefined;
  const pendingActions = await store.inboxLength(sessionId);
  return {
    sessionId,
    topic: meta.topic,
    panelId: meta.panelId,
    panelName: panel?.name ?? meta.panelId,
    stage: meta.stage,
    round: meta.round,
    autoRounds: meta.autoRounds,
    ended: meta.status === 'ended',
    starter: meta.starter,
    personas: (panel?.personas ?? []).map((persona) => {
      const switched = meta.roleMap[persona.id];
      const switchedRole = switched && panel ? roleOf(panel, switched)?.roleTitle : undefined;
      return { id: persona.id, displayName: persona.displayName, role: persona.roleTitle, ...(switchedRole ? { switchedRole } : {}) };
    }),
    tokens: { prompt: meta.tokensPrompt, completion: meta.tokensCompletion, calls: meta.modelCalls },
    images: { generated: meta.imagesGenerated ?? 0, limit: config.SESSION_IMAGE_LIMIT },
    pendingSteps: meta.agenda.length,
    pendingActions,
    queuePosition: meta.agenda.length || pendingActions ? await deps.queuePosition(sessionId, meta.seq, meta.epoch ?? 0) : undefined,
    poll: pollView,
    openingPollId: openingPollId(meta),
    votedKeywords: meta.votedKeywords,
    nextSpeakers: panel ? upcomingSpeakers(panel, meta.agenda) : [],
    paused: meta.paused === true,
    muted: (meta.muted ?? []).map((id) => ({ id, displayName: panel?.personas.find((persona) => persona.id === id)?.displayName ?? id })),
    maxRounds: config.MAX_ROUNDS,
    ...(meta.promptStats ? { prompt: meta.promptStats } : {}),
    language: sessionLanguage(meta, [], config.DEFAULT_LANGUAGE),
    languageChosen: Boolean(meta.languageOverride),
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
  };
}

/** Refreshes of the open poll's message: at most one pending per poll, each showing the poll as it is when it runs. */
export function openPollPublisher(deps: RoundtableDependencies): PollPublisher {
  const current = async (sessionId: string) => {
    const poll = await deps.store.poll(sessionId);
    // A closed poll is shown by the step that closed it; one without a message has nowhere to show.
    // Nor one being closed: its result is about to replace the buttons.
    if (!poll || poll.status !== 'open' || poll.closing || !poll.messageId) return undefined;
    return { view: await readPollView(deps.store, deps.config, sessionId, poll), messageRef: poll.messageId };
  };
  return new PollPublisher(
    {
      current,
      show: async (view, messageRef) => {
        let shown = view;
        // Read again once the platform's budget lets the write through, so the write shows the poll as it is then.
        await deps.adapterFor(parseSessionId(view.sessionId).platform).showPoll?.(view, messageRef, async () => {
          const fresh = (await current(view.sessionId))?.view;
          if (fresh) shown = fresh;
          return fresh;
        });
        return shown;
      },
    },
    deps.logger,
  );
}
