/**
 * The vote message: one button per candidate (clicking toggles it in the person's ballot) and a
 * Close button, counts in the text, everything disabled once closed.
 *
 * People see candidates numbered from 1; custom ids carry the core's own (0-based) index.
 * custom_id (≤ 100 chars): `tr:v:{pollKey}:{index}` for a candidate, `tr:x:{pollKey}` for Close.
 * The session comes from the thread the click happened in; `pollKey` (the poll id, or a short
 * hash of it when long) stops clicks on an old poll's message from voting in a newer poll.
 */
import { createHash } from 'node:crypto';
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import type { PollView } from '../../src/adapter/chat-adapter.ts';

const maxButtons = 25;
const labelLimit = 80;

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

export function renderPollText(poll: PollView): string {
  const open = poll.status === 'open';
  const percent = Math.round(poll.threshold * 100);
  const lines = [
    open
      ? `🗳️ **Vote on the keywords** — pick up to ${poll.maxChoices} (click again to unpick). A keyword passes with ${percent}% of voters.`
      : `🗳️ **Vote closed** — keywords needed ${percent}% of voters.`,
    '',
    ...poll.candidates.map((candidate) => {
      const votes = candidate.peopleVotes + candidate.personaVotes;
      return `\`${String(candidate.index + 1).padStart(2)}\` **${candidate.label}** — ${votes} vote${votes === 1 ? '' : 's'} (${candidate.peopleVotes} people, ${candidate.personaVotes} panel)`;
    }),
    '',
    `${poll.peopleVoters} ${poll.peopleVoters === 1 ? 'person has' : 'people have'} voted · ${poll.personaVoters} panel ballots`,
  ];
  return lines.join('\n').slice(0, 2000);
}

export function renderPollComponents(poll: PollView): APIActionRowComponent<APIButtonComponent>[] {
  const disabled = poll.status !== 'open';
  const buttons: APIButtonComponent[] = poll.candidates.slice(0, maxButtons - 1).map((candidate) => ({
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    custom_id: encodeToggle(poll.pollId, candidate.index),
    label: `${candidate.index + 1}. ${candidate.label}`.slice(0, labelLimit),
    disabled,
  }));
  buttons.push({ type: ComponentType.Button, style: ButtonStyle.Danger, custom_id: encodeClose(poll.pollId), label: disabled ? 'Closed' : 'Close vote', disabled });
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let start = 0; start < buttons.length; start += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(start, start + 5) });
  return rows;
}
