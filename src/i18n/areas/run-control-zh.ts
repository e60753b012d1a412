/** Chinese words of run control, merged into the Chinese catalog (messages-zh.ts): the same keys as run-control-en.ts. */
export const zhRunControl = {
  'stop.stopping': '正在让嘉宾们停下…',
  'stop.nothing': '现在没有正在进行的发言，无需停止。',
  'stop.closing': '圆桌正在收尾，结束总结不能停止。',
  'stop.marker': '（已停止）',
  'stop.post': '⏹ {name} 让嘉宾们停了下来。接下来没有安排：在讨论串里发言，嘉宾们会回应；{ask} 可单独请一位嘉宾回答；{resume} 可继续几轮讨论。',
  'step.stopped': '{text}（已停止）',
  'step.stopNotice': '停止通知',

  'pause.pausing': '正在暂停嘉宾们的自动发言…',
  'pause.paused': '⏸ {name} 暂停了讨论：嘉宾们不再自动轮流发言。大家的留言仍会被记录——以某位嘉宾的名字开头，或使用 {ask}，就能听到这位嘉宾的回答。{resume} 可继续讨论。',
  'resume.resuming': '继续讨论：{rounds} 轮…',
  'resume.tooMany': '轮数须为 1 到 {max} 之间的整数。',

  'ask.unknown': '本场没有名为“{name}”的嘉宾。嘉宾有：{names}。',
  'ask.muted': '{name} 已被静音，不会回答；{unmute} 可让其恢复发言。',
  'ask.mutedReply': '{name} 已被静音，在有人取消静音之前不会回答。',
  'ask.empty': '请写下你想问 {name} 的问题。',
  'ask.asked': '{person} 问 {persona}：{text}',

  'mute.muting': '正在将 {name} 静音…',
  'mute.already': '{name} 已经是静音状态。',
  'mute.lastTwo': '至少要有两位嘉宾继续发言，所以不能将 {name} 静音。',
  'mute.post': '🔇 {name} 已被静音（由 {by} 操作）：不再参与轮流发言、回复和投票。{unmute} 可让其恢复发言。',
  'unmute.unmuting': '正在取消 {name} 的静音…',
  'unmute.notMuted': '{name} 没有被静音。',
  'unmute.post': '🔊 {name} 回到了讨论中（由 {by} 取消静音）。',

  'round.post': '**第 {round} 轮** —— 依次发言：{names}。',
  'step.roundStart': '本轮开场通知',

  'status.next': '接下来：{names}',
  'status.nextNone': '接下来：没有安排。',
  'status.paused': '已暂停：恢复之前没有自动发言。',
  'status.muted': '已静音：{names}',

  'typing.writing': '… {name} 正在输入',
} as const;
