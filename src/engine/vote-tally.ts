/**
 * Tallies a poll. A candidate passes when its votes reach `threshold` × voters (default 60 %).
 * Ties are broken deterministically: more votes first, then more persona support (how many
 * personas proposed it), then its position in the candidate list. An empty result is a result:
 * `winners` is empty and `leading` names the best candidates anyway.
 */
import type { Ballot } from '../session/session-types.ts';

export interface TallyRow {
  index: number;
  label: string;
  personaVotes: number;
  peopleVotes: number;
  total: number;
}

export interface TallyResult {
  rows: TallyRow[];
  voters: number;
  needed: number;
  winners: string[];
  leading: string[];
}

export function tallyVotes(candidates: string[], ballots: Ballot[], threshold: number, maxWinners: number, support: number[] = []): TallyResult {
  const rows: TallyRow[] = candidates.map((label, index) => ({ index, label, personaVotes: 0, peopleVotes: 0, total: 0 }));
  for (const ballot of ballots) {
    for (const choice of new Set(ballot.choices)) {
      const row = rows[choice];
      if (!row) continue;
      if (ballot.voterKind === 'persona') row.personaVotes++;
      else row.peopleVotes++;
      row.total++;
    }
  }
  const voters = ballots.filter((ballot) => ballot.choices.length > 0).length;
  const needed = voters === 0 ? Infinity : Math.ceil(threshold * voters - 1e-9);
  const ranked = [...rows].sort((a, b) => b.total - a.total || (support[b.index] ?? 0) - (support[a.index] ?? 0) || a.index - b.index);
  const winners = ranked.filter((row) => row.total >= needed && row.total > 0).slice(0, maxWinners).map((row) => row.label);
  const leading = ranked.filter((row) => row.total > 0).slice(0, 3).map((row) => row.label);
  return { rows, voters, needed: Number.isFinite(needed) ? needed : 0, winners, leading };
}
