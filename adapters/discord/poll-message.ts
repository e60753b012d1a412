/**
 * The vote message: one button per candidate (clicking toggles it in the person's ballot) and a
 * Close button, counts in the text. Once closed it becomes the result, in the session's language:
 * per keyword the people's and the panel's votes and whether it was chosen, the buttons removed
 * (a closed poll takes no clicks); within Discord's 2,000 characters: when they do not all fit,
 * the chosen and most-voted keywords are shown and the rest counted ("…and 3 more"), never cut.
 *
 * People see candidates numbered from 1; custom ids carry the core's own (0-based) index.
 * custom_id (≤ 100 chars): `tr:v:{pollKey}:{index}` for a candidate, `tr:x:{pollKey}` for Close.
 * The session comes from the thread the click happened in; `pollKey` (the poll id, or a short
 * hash of it when long) stops clicks on an old poll's message from voting in a newer poll.
 */
import { createHash } from 'node:crypto';
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import type { PollView } from '../../src/adapter/chat-adapter.ts';
import { t } from '../../src/i18n/translate.ts';

const maxButtons = 25;
const labelLimit = 80;
const contentLimit = 2_000;

export function pollKey(pollId: string): string {
  return /^[\w-]{1,40}$/.test(pollId) ? pollId : createHash('sha1').update(pollId).digest('base64url').slice(0, 16);
}

export type PollClick = { kind: 'toggle'; pollKey: string; index: number } | { kind: 'close'; pollKey: string };

export function encodeToggle(pollId: string, index: number): string {
  return `tr:v:${pollKey(pollId)}:${index}`;
}

export function encodeClose(pollId: string): string {
  return `tr:x:${pollKey(pollId)}`;
}

export function decodePollClick(customId: string): PollClick | undefined {
  const toggle = /^tr:v:([\w-]{1,40}):(\d{1,3})$/.exec(customId);
  if (toggle?.[1] && toggle[2]) return { kind: 'toggle', pollKey: toggle[1], index: Number(toggle[2]) };
  const close = /^tr:x:([\w-]{1,40})$/.exec(customId);
  if (close?.[1]) return { kind: 'close', pollKey: close[1] };
  return undefined;
}

/** The poll's text: the ballot while open, the result (in `language`) once closed. */
export function renderPollText(poll: PollView, language?: string): string {
  if (poll.status !== 'open') return renderPollResult(poll, language);
  const percent = Math.round(poll.threshold * 100);
  const lines = [
    `🗳️ **Vote on the keywords** — pick up to ${poll.maxChoices} (click again to unpick). A keyword passes with ${percent}% of voters.`,
    '',
    ...poll.candidates.map((candidate) => {
      const votes = candidate.peopleVotes + candidate.personaVotes;
      return `\`${String(candidate.index + 1).padStart(2)}\` **${candidate.label}** — ${votes} vote${votes === 1 ? '' : 's'} (${candidate.peopleVotes} people, ${candidate.personaVotes} panel)`;
    }),
    '',
    `${poll.peopleVoters} ${poll.peopleVoters === 1 ? 'person has' : 'people have'} voted · ${poll.personaVoters} panel ballots`,
  ];
  return lines.join('\n').slice(0, contentLimit);
}

/** Discord markdown in a keyword shown as it is typed (a `*` in a label must not end the bold). */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_`~|>[\]])/g, '\\$1');
}

/** A closed poll as its result: every keyword's votes and whether it was chosen, within the limit. */
export function renderPollResult(poll: PollView, language?: string): string {
  const header = t(language, 'voteChart.pollClosed', { percent: Math.round(poll.threshold * 100) });
  const lines = poll.candidates.map((candidate) =>
    t(language, 'voteChart.pollLine', {
      mark: candidate.passed ? '✅' : '▫️',
      label: escapeMarkdown(candidate.label),
      people: candidate.peopleVotes,
      panel: candidate.personaVotes,
      chosen: candidate.passed ? t(language, 'voteChart.pollChosen') : '',
    }),
  );
  // Said only when the view knows the result (`passed` set) and nothing passed.
  const noneChosen = poll.candidates.some((candidate) => candidate.passed !== undefined) && !poll.candidates.some((candidate) => candidate.passed);
  const footer = [...(noneChosen ? [t(language, 'voteChart.pollNoneChosen')] : []), t(language, 'voteChart.pollBallots', { people: poll.peopleVoters, panel: poll.personaVoters })];
  // When they do not all fit, the chosen and most-voted keywords stay, in the poll's order.
  const keepOrder = poll.candidates
    .map((candidate, position) => ({ position, chosen: candidate.passed ? 1 : 0, votes: candidate.peopleVotes + candidate.personaVotes }))
    .sort((a, b) => b.chosen - a.chosen || b.votes - a.votes || a.position - b.position)
    .map((entry) => entry.position);
  for (let shown = lines.length; shown >= 0; shown--) {
    const kept = new Set(keepOrder.slice(0, shown));
    const more = lines.length - shown;
    const text = [header, '', ...lines.filter((_line, position) => kept.has(position)), ...(more ? [t(language, 'voteChart.pollMore', { count: more })] : []), '', ...footer].join('\n');
    if (text.length <= contentLimit) return text;
  }
  return header.slice(0, contentLimit);
}

/** The buttons of an open poll; none once closed (the message is the result then). */
export function renderPollComponents(poll: PollView): APIActionRowComponent<APIButtonComponent>[] {
  if (poll.status !== 'open') return [];
  const buttons: APIButtonComponent[] = poll.candidates.slice(0, maxButtons - 1).map((candidate) => ({
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    custom_id: encodeToggle(poll.pollId, candidate.index),
    label: `${candidate.index + 1}. ${candidate.label}`.slice(0, labelLimit),
  }));
  buttons.push({ type: ComponentType.Button, style: ButtonStyle.Danger, custom_id: encodeClose(poll.pollId), label: 'Close vote' });
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let start = 0; start < buttons.length; start += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(start, start + 5) });
  return rows;
}
