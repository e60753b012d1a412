/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhVoteChart = {
  // The vote's result where people look: chart blocks, alt text, results in the poll message.
  'voteChart.title': '各关键词得票',
  'voteChart.people': '参与者',
  'voteChart.panel': '嘉宾',
  'voteChart.keywordAxis': '关键词',
  'voteChart.votesAxis': '票数',
  'voteChart.altText': '各关键词得票——{counts}',
  'voteChart.altCount': '{label}：参与者 {people} 票，嘉宾 {panel} 票',
  'voteChart.altSeparator': '；',
  'voteChart.altMore': '另有 {count} 个关键词',
  'voteChart.pollClosed': '🗳️ **投票已结束** —— 关键词需要获得 {percent}% 投票人的支持。',
  'voteChart.pollLine': '{mark} **{label}** —— 参与者 {people}，嘉宾 {panel}{chosen}',
  'voteChart.pollChosen': ' —— **当选**',
  'voteChart.pollNoneChosen': '没有关键词当选。',
  'voteChart.pollMore': '……另有 {count} 个。',
  'voteChart.pollBallots': '选票：参与者 {people} 张，嘉宾 {panel} 张。',
} as const;
