/** English words of one area, merged into the English catalog (messages-en.ts); keys as there. */
export const enVoteChart = {
  // The vote's result where people look: chart blocks, alt text, results in the poll message.
  // The chart drawn by the platform (Slack's chart block): its title, series and axes.
  'voteChart.title': 'Votes per keyword',
  'voteChart.people': 'People',
  'voteChart.panel': 'Panel',
  'voteChart.keywordAxis': 'Keyword',
  'voteChart.votesAxis': 'Votes',
  // The chart picture's alt text (src/engine/vote-alt-text.ts): every count, said.
  'voteChart.altText': 'Votes per keyword — {counts}',
  'voteChart.altCount': '{label}: people {people}, panel {panel}',
  'voteChart.altSeparator': '; ',
  'voteChart.altMore': 'and {count} more',
  // The closed poll's own message (adapters/discord/poll-message.ts).
  'voteChart.pollClosed': '🗳️ **Vote closed** — a keyword needed {percent} % of voters.',
  'voteChart.pollLine': '{mark} **{label}** — people {people}, panel {panel}{chosen}',
  'voteChart.pollChosen': ' — **chosen**',
  'voteChart.pollNoneChosen': 'No keyword was chosen.',
  'voteChart.pollMore': '…and {count} more.',
  'voteChart.pollBallots': 'Ballots: {people} from people, {panel} from the panel.',
} as const;
