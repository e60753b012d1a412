/** Chinese words of one area, merged into the Chinese catalog (messages-zh.ts): the same keys as its English file. */
export const zhDecision = {
  'decision.splits': '**分歧所在**',
  'decision.splitQuestion': '- _{question}_',
  'decision.position': '  - {position} —— {panelists}',
  'decision.positionQuoted': '  - {position} —— {panelists}：“{quote}”',
  'decision.votes': '**参与者投票与嘉宾投票对照**',
  'decision.voteLine': '- {keyword}：参与者 {people} 票，嘉宾 {panel} 票{passed}',
  'decision.votePassed': ' ✓',
  'decision.nextSteps': '**下一步**',
  'decision.stepOwned': '- {step}（{owner}）',
  'decision.usage': '**用量：** 共 {total} 个 token（{calls} 次模型调用）{cost} —— {panelists}',
  'decision.usagePanelist': '{name} {tokens}',
  'decision.cost': '，约 {cost}',
  'decision.files': '完整记录已附上：Markdown、JSON（会话记录）和一个可离线打开的网页。',
  'decision.recordDescription': '会话记录（JSON，格式 tableround.session-record v1）',
  'decision.pageDescription': '网页版记录（可离线打开）',
} as const;
