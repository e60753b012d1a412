/**
 * The bot's own words in English: the moderator's posts, notices, command answers, help and
 * error sentences. This catalog defines the keys: every other catalog must have each of them
 * (messages-zh.ts is typed against it) and `t` (translate.ts) falls back to it.
 *
 * Placeholders are `{name}`; `t` checks at compile time that a call supplies exactly the ones the
 * English text uses. A translation may leave a placeholder out, never add one. No other braces.
 * Keys are grouped by the file that says them. A sentence said where the session's language is
 * not known (a model error) travels as a `CatalogText` and is rendered where it is (translate.ts).
 */
import { enAsk } from './areas/ask-en.ts';
import { enSessionLife } from './areas/session-life-en.ts';
import { enRunControl } from './areas/run-control-en.ts';
import { enRecord } from './areas/record-en.ts';
import { enVoteChart } from './areas/vote-chart-en.ts';
import { enDecision } from './areas/decision-en.ts';
import { enProvider } from './areas/provider-en.ts';
import { enAnswers } from './areas/answers-en.ts';

export const en = {
  // Areas kept in their own files (src/i18n/areas/), merged here.
  ...enAsk,
  ...enSessionLife,
  ...enRunControl,
  ...enRecord,
  ...enVoteChart,
  ...enDecision,
  ...enProvider,
  ...enAnswers,
  // Lists and conjunctions.
  'list.separator': ', ',
  'list.and': '{first} and {second}',

  // The language of the session (commands/lang.ts, src/engine/steps/language-step.ts).
  'language.switching': 'Switching the roundtable to {language}…',
  'language.following': "The roundtable will follow the conversation's language again…",
  'language.set': '🌐 The roundtable speaks {language} from now on (chosen by {name}; {autoUsage} follows the conversation again).',
  'language.detected': '🌐 The roundtable follows the conversation again and speaks {language} (asked by {name}).',
  'language.invalid': 'a language code such as zh, en, fr or pt-BR — or auto',

  // The moderator (src/engine/steps/moderator-steps.ts).
  'opening.post':
    '**Roundtable: {topic}**\nPanel ({panelName}): {roster}.\nThe panel will introduce itself and discuss for {rounds} round(s), then pause for you. Write in this thread to join in — you will be answered in the next turn. Commands: {commands}.',
  'opening.channelSettings': 'This channel’s settings: {settings}.',
  'pause.post': '**Pause.** {synthesis}\n\nWhat next? Write in the thread to steer the panel, or {commands}.',
  'switch.post': '**Role switch.** Everyone now speaks from another role:\n{lines}',
  'moderator.name': 'Moderator',

  // How a skip notice names a step (each step kind's `describe`).
  'step.opening': 'the opening',
  'step.notice': 'a notice',
  'step.pause': 'the moderator synthesis',
  'step.switchRoles': 'the role switch',
  'step.language': 'the language switch',
  'step.introduction': "{name}'s introduction",
  'step.turn': "{name}'s turn",
  'step.imageStory': "{name}'s image story",
  'step.keywords': "{name}'s keywords",
  'step.pollOpen': 'the vote',
  'step.personaBallot': "{name}'s ballot",
  'step.pollClose': 'the vote result',
  'step.closing': 'the closing summary',
  'step.imageDescribe': 'the image description',
  'step.imagine': 'the concept images',

  // Stages, as /status shows them.
  'stage.opening': 'opening',
  'stage.discussion': 'discussion',
  'stage.paused': 'paused',
  'stage.keywords': 'keywords',
  'stage.voting': 'voting',
  'stage.switch': 'switch',
  'stage.imagine': 'imagine',
  'stage.closing': 'closing',
  'stage.ended': 'ended',

  // Running a command (src/command-core/run-command.ts).
  'command.unknown': 'Unknown command “{name}”. Commands: {commands}.',
  'command.needsSession': 'This command works inside a roundtable thread. Start one by mentioning me with a topic.',
  'command.sessionEnded': 'This roundtable has ended. Start a new one with a topic.',
  'command.managersOnly': 'Only the person who started this roundtable or {manager} can use {command}.',
  'command.invalidOptions': 'Invalid {command} options — {problems}.',

  // What a person is told about an error (src/engine/describe-error.ts).
  'error.internal': 'Something went wrong on our side; the session is intact — try again.',
  'error.redisUnavailable': 'Our memory store is unreachable right now; please try again in a moment.',

  // Command answers (commands/*.ts).
  'ballot.counted': 'Your ballot is counted.',
  'end.ending': 'Ending the roundtable: the summary and transcript are coming.',
  'imagine.coming': 'Concept images are on their way…',
  'start.started': 'Roundtable started: {topic}',
  'switch.switching': 'Switching roles…',
  'vote.closeManagersOnly': 'Only the person who started this roundtable or a manager can close the vote.',
  'vote.closing': 'Closing the vote…',
  'vote.gathering': 'The panel is gathering keywords for a vote…',
  'vote.alreadyOpen': 'A vote is already open or being prepared.',

  // /status (commands/status.ts).
  'status.none': 'No roundtable here.',
  'status.ended': '**{topic}** — ended',
  'status.running': '**{topic}** — stage {stage}, round {round} of {rounds} automatic',
  'status.panel': 'Panel: {panel} — {personas}',
  'status.queue': 'Queue: {steps} step(s) planned, {actions} request(s) waiting{position}',
  'status.queueRunning': ', running now',
  'status.queueAhead': ', {jobs} job(s) ahead',
  'status.tokens': 'Tokens: {prompt} in, {completion} out ({calls} model calls)',
  'status.images': 'Concept images: {generated} of {limit}',
  'status.vote': 'Vote: {status}, {people} people and {panel} panelists voted',
  'status.voteOpen': 'open',
  'status.voteClosed': 'closed',
  'status.votedKeywords': 'Voted keywords: {keywords}',
  'status.languageChosen': 'Language: {language} (chosen)',
  'status.languageFollowed': 'Language: {language} (follows the conversation)',

  // The closing summary and the transcript file (src/engine/transcript-markdown.ts).
  'summary.title': '**Closing summary**',
  'summary.decisions': '**Decisions**',
  'summary.votedKeywords': '**Voted keywords:** {keywords}',
  'summary.noVote': '(no vote passed)',
  'summary.none': '(none)',
  'summary.openQuestions': '**Open questions**',
  'summary.takeaways': '**Takeaways**',
  'summary.designCard': '**Design card — {name}**',
  'summary.form': '- Form: {form}',
  'summary.elements': '- Key elements: {elements}',
  'summary.functions': '- Functions: {functions}',
  'summary.targetUsers': '- Target users: {users}',
  'summary.meaning': '- Meaning: {meaning}',
  'transcript.title': '# Roundtable: {topic}',
  'transcript.session': '- Session: `{sessionId}`',
  'transcript.panel': '- Panel: {panel} — {personas}',
  'transcript.startedBy': '- Started by: {name}, {time}',
  'transcript.tokens': '- Tokens: {prompt} in, {completion} out, {calls} model calls',
  'transcript.summary': '## Summary',
  'transcript.transcript': '## Transcript',
  'transcript.person': '{name} (person)',
  'transcript.asRole': '{name} (as {role})',
  'transcript.entry': '**{who}** · {stage} · round {round} · {time}',

  // The terminal (adapters/terminal/parse-console-line.ts).
  'console.help': 'Type to join the discussion. Commands:',
  'console.helpImage': '`/image <path>` — show the panel an image file',
  'console.helpHelp': '`/help` — this list',

  // Keywords and the vote (src/engine/steps/vote-steps.ts).
  'vote.notEnoughKeywords': 'Not enough keywords came out of the discussion to vote on. Keep talking, then try {usage} again.',
  'vote.intro': '**Vote on the keywords** — pick up to {max}. A keyword passes with {percent} % of voters. The panel votes too.',
  'vote.candidates': 'Candidates: {candidates}',
  'vote.listLine': '{number}. {label} — {votes} vote(s)',
  'vote.noneOpen': 'There is no open vote to close.',
  'vote.closedChosen': '**Vote closed.** {voters} voters; a keyword needed {needed}. Chosen: **{winners}**.\n{counts}',
  'vote.closedNone': '**Vote closed.** {voters} voters; no keyword reached {needed} votes{leaders}. {counts}',
  'vote.leaders': ' — the leaders were {leaders}',
  'vote.noBallots': 'No ballots were cast.',
  'vote.count': '{label}: {total} (panel {panel}, people {people})',
  'vote.countSeparator': '; ',
  'vote.chartTitle': '{topic} — vote',
  'vote.noKeywordsFrom': ' (No usable keywords from {names}.)',
  // Panelists without a usable ballot (src/engine/missing-ballots.ts).
  'vote.notCounted': '⚠️ Not counted: {names} gave no usable ballot.',

  // The end of the session (src/engine/steps/closing-step.ts).
  'closing.unavailable': '**Closing summary unavailable** — {reason}\n\n**Voted keywords:** {keywords}',
  'closing.ended': 'Session ended by {name}. The full transcript is attached. Mention me in the channel to start a new roundtable.',
  'closing.transcriptDescription': 'Roundtable transcript',

  // Skips and notices of the step machine (src/pipeline/step-machine.ts, step-outbox.ts).
  'budget.sessionSpent': '⚠️ This roundtable has used its token budget ({budget} tokens); the panel stops here. {commands} still work.',
  'step.skipped': '⚠️ {reason} Skipped: {step}. The session continues — write in the thread or use a command.',
  'step.abandoned': 'This step kept stopping the worker that ran it.',
  'step.deadline': 'This step ran longer than {minutes} min and was stopped.',
  'step.superseded': 'This step was taken over by another worker.',
  'step.interrupted': '{text} (interrupted)',
  'session.panelMissing': "⚠️ This roundtable's panel “{panel}” is no longer installed, so the session ends here.",
  'platform.postRefused': 'The chat platform refused a post.',

  // What a person is told about a model's failure (src/models/model-errors.ts, model-gateway.ts).
  'model.roleChat': 'chat',
  'model.roleVision': 'vision',
  'model.roleSummary': 'summary',
  'model.roleImage': 'image',
  'model.timeout': 'The {role} model ({model}) took too long to answer.',
  'model.slowStart': 'The {role} model ({model}) took too long to start answering.',
  'model.stalled': 'The {role} model ({model}) stopped sending its answer partway through.',
  'model.contextExceeded': "The conversation no longer fits the {role} model ({model})'s context window{limit}.",
  'model.contextLimit': ' of {tokens} tokens',
  'model.requestInvalid': 'The {role} model ({model}) rejected the request{status}; the operator can find the reason in the logs.',
  'model.httpStatus': ' (HTTP {status})',
  'model.cancelled': 'The {role} model ({model}) call was cancelled.',
  'model.rateLimited': 'The {role} model ({model}) is rate-limiting us; try again in a minute.',
  'model.refused': 'The {role} model ({model}) refused this request under its content policy.',
  'model.credentials': 'The {role} model ({model}) rejected our API key; the operator needs to check it.',
  'model.notFound': 'The {role} model ({model}) was not found at the configured endpoint.',
  'model.failedHttp': 'The {role} model ({model}) failed (HTTP {status}).',
  'model.failedConnection': 'The {role} model ({model}) failed (connection error).',
  'model.failed': 'The {role} model ({model}) failed.',
  'model.emptyAnswer': 'The model ({model}) returned an empty answer.',
  'model.unusableData': 'The model ({model}) did not return usable {name} data.',
  'model.emptyDescription': 'The vision model returned an empty description.',
  'model.noImages': 'The image model returned no images.',
  'model.notAnImage': 'The image model returned something that is not an image.',

  // Concept images and uploaded images (src/engine/steps/imagine-step.ts, image-steps.ts).
  'imagine.limit': 'This roundtable has used its {limit} concept images.',
  'imagine.posted': '🎨 Concept images for {name}{prompt} (keywords: {keywords}).',
  'imagine.postedPrompt': ' — “{prompt}”',
  'imagine.imageDescription': 'Concept image {number}',
  'imagine.noKeywords': 'none',
  'imagine.failed': 'Image generation failed: {reason}',
  'image.seen': '{filename}: the panel has already seen this image.',
  'image.shared': '📷 {name} shared {filename}. What the panel sees: {description}',
  'image.tooLarge': '{filename} is {size}; the limit is {limit}.',
  'image.notSupportedHere': 'Images are not supported here.',

  // Refusals and answers of the roundtable service inside a session (src/engine/roundtable.ts).
  'request.tooFast': 'You are sending faster than {limit} messages or commands a minute; try again in {seconds} s.',
  'request.noSuchCommand': 'There is no command “{name}”.',
  'request.clipped': '⚠️ Only the first {chars} characters of your message were used.',
  'budget.sessionRefused': 'This roundtable has used its token budget ({spent} of {budget} tokens); {commands} still work.',
  'imagine.managersOnly': 'Only a channel manager can ask for concept images here.',
  'imagine.starterOnly': 'Only the person who started this roundtable, or a channel manager, can ask for concept images.',
  'imagine.limitMade': 'This roundtable has used its {limit} concept images ({generated} made).',
  'imagine.overBudget': 'That would go over your token budget for today ({spent} of {budget} used; images cost {cost} each).',
  'ballot.pollClosed': 'That vote has closed; your ballot was not counted.',
  'ballot.noPoll': 'There is no open vote to take your ballot.',
  'ballot.chooseByNumber': 'Choose candidates by number, from 1 to {count}.',
  'ballot.tooMany': 'You may choose up to {limit} candidates.',
  'ballot.voteClosed': 'This vote is closed.',
  'ballot.chooseOne': 'Choose a candidate from 1 to {count}.',
  'ballot.full': 'You can choose up to {limit}; tap one of your choices again to take it back first.',
  'ballot.yours': 'Your ballot: {choices}.',
  'ballot.empty': 'Your ballot is empty.',
} as const;

export type MessageKey = keyof typeof en;

/** A catalog in another language: every key of the English one, nothing else. */
export type Catalog = { readonly [Key in MessageKey]: string };
