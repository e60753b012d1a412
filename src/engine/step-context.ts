/**
 * What a step executor gets, and the helpers every executor shares: posting and streamed persona
 * speech through the step outbox (exactly once: pipeline/step-outbox.ts), usage accounting, and
 * what prompts are fitted to (each model's context window: src/prompts/context-window.ts).
 *
 * Speech is posted at its asked length: `speak` cuts an answer to its target at a sentence
 * boundary and an answer stopped by its cap (finish_reason `length`) to its last complete
 * sentence (src/prompts/sentence-cut.ts) *before* saving it as the step's payload, so the thread,
 * the transcript and a re-run's post are the same text; a stream never shows past the cut.
 */
import type { PresetRegistry } from '../panels/presets.ts';
import type { ChatAdapter, OutboundFile, PersonaIdentity, Speaker } from '../adapter/chat-adapter.ts';
import type { Config } from '../config/config-schema.ts';
import { BoundedMap } from '../bounded-map.ts';
import type { Logger } from '../logging/logger.ts';
import type { CallContext, ModelGateway } from '../models/model-gateway.ts';
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { Templates } from '../prompts/render-template.ts';
import type { StepCommit, SessionStore } from '../store/session-store.ts';
import type { ImageRecord, SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { FittedPrompt, PromptFit, PromptInputs } from './prompt-builder.ts';
import { contextWindowFor } from '../prompts/context-window.ts';
import { answerDecided, finishAnswer, streamingPreview } from '../prompts/sentence-cut.ts';
import type { ImageServices } from './image-services.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { StepKinds } from './step-kind.ts';
import { usagesOf, type CommandRegistry } from '../command-core/command-contract.ts';
import { renderUsage, sessionHints, type CommandStyle } from '../command-core/command-syntax.ts';
import { StepSupersededError, type CarriedUsage, type StepOutbox } from '../pipeline/step-outbox.ts';
import { deliverPost, type DeliveryTarget } from '../outbound/deliver-post.ts';
import type { PollPublisher } from '../outbound/poll-publisher.ts';
import { OutboxStream } from '../outbound/outbox-stream.ts';
import { isStopRequested } from '../pipeline/stop-signals.ts';
import { t } from '../i18n/translate.ts';
import { lazyChild } from '../logging/lazy-child.ts';
import { platformOfSession } from '../session/session-id.ts';

export interface EngineDependencies {
  /** Session presets (prompts/presets/): the panel subset and turn-length scale of a session. */
  presets?: PresetRegistry;
  config: Config;
  logger: Logger;
  store: SessionStore;
  models: ModelGateway;
  templates: Templates;
  panels: Map<string, Panel>;
  adapterFor(platform: string): ChatAdapter;
  identityOf(persona: Persona): Promise<PersonaIdentity>;
  images: ImageServices;
  metrics?: Metrics;
  /** Every step kind the engine runs (src/engine/step-kind.ts). */
  steps: StepKinds;
  /** The command registry (its `plan`s change the agenda; its usages make the hints). */
  commands: CommandRegistry;
  /** Coalesced refreshes of poll messages (src/outbound/poll-publisher.ts). */
  polls?: PollPublisher;
}

export interface StepContext {
  deps: EngineDependencies;
  sessionId: string;
  seq: number;
  meta: SessionMeta;
  panel: Panel;
  adapter: ChatAdapter;
  logger: Logger;
  /** Entries after the rolling summary, oldest first, including ones added earlier in this step. */
  recent: TranscriptEntry[];
  /** The steps planned after this one, in order, as planned when it started (who speaks next). */
  upcoming?: readonly Step[];
  images: ImageRecord[];
  /** What this step has posted so far, across attempts. */
  outbox: StepOutbox;
  /** Fires when the job is cancelled (shutdown, lost lock) or a person stops it (`/stop`: pipeline/stop-signals.ts). */
  signal?: AbortSignal;
  /** A reply that failed after part of it was shown (the step's skip records it). */
  interrupted?: { persona: Persona; text: string };
  /**
   * Set after a provider refused a prompt as too long: the window (tokens) this step assumes for
   * every model from then on (src/prompts/context-budget.ts `windowAfterOverflow`).
   */
  windowLimit?: number;
  /**
   * Token-use writes under way (`callAccounting`). A model call does not wait for its own (the
   * answer is posted meanwhile, the write rides in the post's round trip); the step machine
   * settles them before the step commits. Shared by copies of the context.
   */
  usageWrites?: Promise<void>[];
  /**
   * Token use of a persona's answer, held for the payload save of that answer to count in the
   * same command (`speak`); written on its own if the answer is never saved (`releaseHeldUsage`).
   */
  heldUsage?: CarriedUsage[];
}

/** What a step wants committed, plus steps to run next (before the rest of the agenda). */
export interface StepOutcome extends Omit<StepCommit, 'inboxConsumed'> {
  followUps?: Step[];
}

export function promptInputs(context: StepContext): PromptInputs {
  return { templates: context.deps.templates, panel: context.panel, meta: context.meta, recent: context.recent, images: context.images, fit: promptFit(context), presets: context.deps.presets };
}

/** Each model's window as config, the name table and the provider say, within the step's `windowLimit`. */
export function promptFit(context: Pick<StepContext, 'deps' | 'windowLimit'>): PromptFit {
  const { config, models } = context.deps;
  return {
    chatModel: config.CHAT_MODEL,
    summaryModel: models.endpoint('summary').model,
    defaultMaxTokens: config.MODEL_MAX_TOKENS,
    windowOf: (model, role = 'chat') => {
      const window = contextWindowFor(config, model, { learned: models.learnedContextTokens(model), baseURL: models.endpoint(role).baseURL });
      return context.windowLimit ? Math.min(window, context.windowLimit) : window;
    },
  };
}

export function personaById(context: StepContext, personaId: string): Persona | undefined {
  return context.panel.personas.find((persona) => persona.id === personaId);
}

export function entry(context: StepContext, fields: Pick<TranscriptEntry, 'kind' | 'speakerId' | 'speakerName' | 'text'> & Partial<TranscriptEntry>): TranscriptEntry {
  return { at: Date.now(), stage: context.meta.stage, round: context.meta.round, ...fields };
}

/** The session's starter, whose daily spend each of the session's model calls is charged to. */
function starterOf(context: StepContext): { platform: string; personId: string } {
  return { platform: platformOfSession(context.sessionId), personId: context.meta.starter.id };
}

/**
 * A token-use write joins the step's (`usageWrites`, settled before its commit). Best effort:
 * spent tokens are spent, and a failed write (Redis blip) must not fail the step and make it
 * call the model again.
 */
function joinUsageWrite(context: StepContext, write: Promise<unknown>, details: Record<string, number>): void {
  (context.usageWrites ??= []).push(write.then(
    () => undefined,
    (error: unknown) => context.logger.warn({ err: error, ...details }, 'could not record token use'),
  ));
}

/** Charges a model call's tokens to the session and its starter. */
function recordUsage(context: StepContext, usage: CarriedUsage): void {
  const { promptTokens, completionTokens, by } = usage;
  joinUsageWrite(context, context.deps.store.addUsage(context.sessionId, promptTokens, completionTokens, starterOf(context), by), { promptTokens, completionTokens });
}

/** Waits for the step's token-use writes (each is best effort: `joinUsageWrite` never rejects). */
export async function settleUsage(context: Pick<StepContext, 'usageWrites'>): Promise<void> {
  if (context.usageWrites?.length) await Promise.all(context.usageWrites);
}

/** Writes held token use on its own (its answer will not be saved: the call failed or was stopped after it). */
export function releaseHeldUsage(context: StepContext): void {
  const held = context.heldUsage;
  context.heldUsage = undefined;
  for (const usage of held ?? []) recordUsage(context, usage);
}

/**
 * Hands the held token use to the payload save of its answer (the session's count rides in that
 * command) and charges the session's starter beside it (a per-person key: another cluster slot).
 */
function takeHeldUsage(context: StepContext): CarriedUsage[] {
  const held = context.heldUsage ?? [];
  context.heldUsage = undefined;
  const tokens = held.reduce((sum, usage) => sum + usage.promptTokens + usage.completionTokens, 0);
  if (tokens > 0) {
    const { platform, personId } = starterOf(context);
    joinUsageWrite(context, context.deps.store.chargePerson(platform, personId, tokens), { tokens });
  }
  return held;
}

/**
 * What every model call of a step passes: its usage recorded for `who` (a persona id; the session
 * when absent) with the model that answered, and the step's abort signal. The call does not wait
 * for the write: it joins `context.usageWrites`, which the step settles before its commit.
 */
export function callAccounting(context: StepContext, who?: string, options: { hold?: boolean } = {}): Pick<CallContext, 'onUsage' | 'signal'> {
  return {
    onUsage: (usage, model) => {
      const call: CarriedUsage = { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, by: { ...(who ? { who } : {}), model } };
      if (options.hold) (context.heldUsage ??= []).push(call);
      else recordUsage(context, call);
    },
    ...(context.signal ? { signal: context.signal } : {}),
  };
}

/** Posts text (and files) as a speaker, exactly once per step and key. Returns the message refs. */
export async function postOnce(target: DeliveryTarget, key: string, speaker: Speaker, text: string, files?: OutboundFile[]): Promise<string[]> {
  return deliverPost(target, { key, speaker, text, ...(files?.length ? { files } : {}) });
}

/** What an earlier attempt of this step saved under `key` before posting it, if any. */
export function earlierPayload(context: StepContext, key: string): string | undefined {
  return context.outbox.payload(key);
}

/** Saves what will be posted under `key` before it is posted (rule 2a of the outbox). */
export async function savePayload(context: StepContext, key: string, payload: string): Promise<void> {
  await context.outbox.savePayload(key, payload);
}

export const moderator: Speaker = { kind: 'moderator' };

/** What `speak` sends and how long the answer may be. */
export type SpeechPrompt = Pick<FittedPrompt, 'messages' | 'maxTokens' | 'targetChars'>;

/**
 * Runs a persona's chat completion, streaming it into the thread when the adapter can, and
 * posts the final text once. Returns the posted text (reasoning removed, cut to the prompt's
 * target length, an unfinished end trimmed). A re-run of a step whose answer was saved posts
 * (or finishes posting) that answer without a second model call, so the transcript says what
 * the thread shows; a re-run after a crash mid-stream continues the message the crashed attempt
 * had started.
 */
export async function speak(context: StepContext, persona: Persona, key: string, prompt: SpeechPrompt): Promise<string> {
  const { messages, maxTokens, targetChars } = prompt;
  const identity = await context.deps.identityOf(persona);
  const speaker: Speaker = { kind: 'persona', persona: identity };
  const logger = lazyChild(context.logger, { persona: persona.id });
  const stream = context.adapter.streaming ? new OutboxStream({ outbox: context.outbox, adapter: context.adapter, sessionId: context.sessionId, speaker, key, logger }) : undefined;
  const saved = context.outbox.payload(key);
  await stream?.open();
  // What the thread shows of a message this step could not finish, for the transcript (a skip
  // records it, marked, so the record matches the thread).
  const recordShown = async (error: unknown) => {
    // A superseded runner leaves the message alone: its successor is writing it.
    if (!stream || error instanceof StepSupersededError) return;
    // Stopped by a person: finished as it stands, "(stopped)"; a failure: "(interrupted)".
    const shown = isStopRequested(context.signal) ? await stream.abort(t(context.meta.language, 'stop.marker'), true) : await stream.abort();
    if (shown) context.interrupted = { persona, text: shown };
  };
  if (saved !== undefined) {
    try {
      if (stream) await stream.finish(saved);
      else await postOnce(context, key, speaker, saved);
    } catch (error) {
      // An earlier attempt's answer whose final write fails again: as a failure mid-answer.
      await recordShown(error);
      throw error;
    }
    return saved;
  }
  // Stopped (or cancelled) before it began: nobody is shown writing.
  context.signal?.throwIfAborted();
  await context.adapter.typing?.(context.sessionId, speaker, context.meta.language).catch((error: unknown) => logger.debug({ err: error }, 'typing indicator failed'));
  let text: string | undefined;
  try {
    const result = await context.deps.models.chat({
      messages,
      model: persona.model,
      maxTokens,
      logger,
      // Held for the answer's payload save (one command fewer per turn); released if it is never saved.
      ...callAccounting(context, persona.id, { hold: true }),
      // Past the point where the rest could change the post, the model's stream is ended: a long
      // answer finishes in the time of what is shown, not of what would be thrown away.
      onText: (textSoFar) => {
        stream?.update(streamingPreview(textSoFar, targetChars));
        return answerDecided(cleanSpeech(textSoFar, persona), targetChars);
      },
    });
    text = finishAnswer(cleanSpeech(result.text, persona), { targetChars, finishReason: result.finishReason });
    if (result.finishReason === 'enough') logger.debug({ chars: result.text.length, posted: text.length }, 'answer ran past the length it may be shown at; its stream was ended there');
    if (result.finishReason === 'length') logger.info({ maxTokens, chars: result.text.length, posted: text.length }, 'answer reached its cap; posted up to its last complete sentence');
    await context.outbox.savePayload(key, text, takeHeldUsage(context));
    if (stream) await stream.finish(text);
    else await postOnce(context, key, speaker, text);
    return text;
  } catch (error) {
    releaseHeldUsage(context);
    await recordShown(error);
    throw error;
  }
}

/** Removes a leading "Name:" label or wrapping quotes that models like to add. */
export function cleanSpeech(text: string, persona: Persona): string {
  let cleaned = text.trim();
  for (const pattern of labelPatterns(persona)) cleaned = cleaned.replace(pattern, '');
  if (/^["“].*["”]$/s.test(cleaned) && !/["“”]/.test(cleaned.slice(1, -1))) cleaned = cleaned.slice(1, -1);
  return cleaned.trim();
}

/** The "Name:" labels of recent speakers, compiled once (a streamed answer is cleaned at every chunk). */
const labelPatternsKnown = new BoundedMap<string, RegExp[]>(256);

function labelPatterns(persona: Persona): RegExp[] {
  return labelPatternsKnown.remember(`${persona.displayName}\u0000${persona.id}`, () => {
    const names = [persona.displayName, persona.displayName.split(/[\s(（]/)[0] ?? '', persona.id].filter(Boolean);
    return names.map((name) => new RegExp(`^\\**\\[?${escapeRegExp(name)}\\]?\\**\\s*[:：]\\s*`, 'i'));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where command hints are rendered: the session's adapter and the command registry. */
export interface HintTarget {
  adapter: ChatAdapter;
  deps: { commands: CommandRegistry };
}

/** How commands are typed where this session lives. */
export function commandStyleOf(context: Pick<HintTarget, 'adapter'>): CommandStyle {
  return context.adapter.commandStyle ?? { kind: 'slash' };
}

/** The commands a person may use in a session, as typed on this platform. */
export function commandHints(context: HintTarget): string {
  return sessionHints(context.deps.commands, commandStyleOf(context), context.adapter.platform);
}

/** One command's usage as typed on this platform (`/vote close`, `@TableRound end`). */
export function commandUsage(context: HintTarget, name: string, args?: string): string {
  const command = context.deps.commands.get(name);
  if (!command) return name;
  const usage = usagesOf(command).find((candidate) => (candidate.args ?? '') === (args ?? '')) ?? { args, says: '' };
  return `\`${renderUsage(command, usage, commandStyleOf(context))}\``;
}
