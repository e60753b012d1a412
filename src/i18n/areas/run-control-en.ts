/**
 * English words of run control — `/stop`, `/pause`, `/resume`, `/ask`, `/mute`, `/unmute`, the
 * round notices, who speaks next (commands/*.ts, src/engine/agenda*.ts, src/engine/steps/
 * run-control-steps.ts, the terminal's typing line) — merged into the English catalog
 * (messages-en.ts); keys as there.
 */
export const enRunControl = {
  // /stop (commands/stop.ts, src/engine/steps/run-control-steps.ts, src/engine/step-context.ts).
  'stop.stopping': 'Stopping the panel…',
  'stop.nothing': 'Nothing is running right now, so there is nothing to stop.',
  'stop.closing': 'The roundtable is closing; its closing summary cannot be stopped.',
  'stop.marker': '(stopped)',
  'stop.post': '⏹ {name} stopped the panel. Nothing more is planned: write in the thread and the panel answers, {ask} asks one persona, {resume} runs more rounds.',
  'step.stopped': '{text} (stopped)',
  'step.stopNotice': 'the stop notice',

  // /pause and /resume (commands/pause.ts, commands/resume.ts).
  'pause.pausing': 'Pausing the panel…',
  'pause.paused': '⏸ {name} paused the panel: no more automatic turns. Messages are still read — start one with a persona’s name, or use {ask}, to hear from that persona. {resume} goes on.',
  'resume.resuming': 'Resuming: {rounds} round(s)…',
  'resume.tooMany': 'Rounds must be a whole number from 1 to {max}.',

  // Asking one persona (commands/ask.ts, src/engine/agenda.ts).
  'ask.unknown': 'There is no persona “{name}” on this panel. The panel: {names}.',
  'ask.muted': '{name} is muted and will not answer; {unmute} brings them back.',
  'ask.mutedReply': '{name} is muted and will not answer until someone unmutes them.',
  'ask.empty': 'Add what you would like to ask {name}.',
  'ask.asked': '{person} asks {persona}: {text}',

  // /mute and /unmute (commands/mute.ts, commands/unmute.ts).
  'mute.muting': 'Muting {name}…',
  'mute.already': '{name} is already muted.',
  'mute.lastTwo': 'At least two personas must keep speaking, so {name} cannot be muted.',
  'mute.post': '🔇 {name} is muted (by {by}): left out of rounds, replies and votes. {unmute} brings them back.',
  'unmute.unmuting': 'Unmuting {name}…',
  'unmute.notMuted': '{name} is not muted.',
  'unmute.post': '🔊 {name} is back in the discussion (unmuted by {by}).',

  // Round notices (src/engine/steps/run-control-steps.ts).
  'round.post': '**Round {round}** — speaking in turn: {names}.',
  'step.roundStart': 'the round notice',

  // Who speaks next and the run state, in /status (commands/status.ts).
  'status.next': 'Next: {names}',
  'status.nextNone': 'Next: nobody is planned.',
  'status.paused': 'Paused: no automatic turns until resumed.',
  'status.muted': 'Muted: {names}',

  // The terminal's typing line (adapters/terminal/terminal-adapter.ts).
  'typing.writing': '… {name} is writing',
} as const;
