/**
 * What a step executor gets, and the helpers every executor shares: idempotent posting,
 * streamed persona speech, usage accounting.
 */
import type { ChatAdapter, OutboundFile, PersonaIdentity, PostResult, Speaker } from '../adapter/chat-adapter.ts';
import type { Config } from '../config/config-schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { ChatMessage, ModelGateway } from '../models/model-gateway.ts';
import type { Panel, Persona } from '../panels/panel-schema.ts';
import type { Templates } from '../prompts/render-template.ts';
import type { StepCommit, SessionStore } from '../store/session-store.ts';
import type { ImageRecord, SessionMeta, Step, TranscriptEntry } from '../session/session-types.ts';
import type { PromptInputs } from './prompt-builder.ts';
import type { ImageServices } from './image-services.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface EngineDependencies {
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
  images: ImageRecord[];
}

/** What a step wants committed, plus steps to run next (before the rest of the agenda). */
export interface StepOutcome extends Omit<StepCommit, 'inboxConsumed'> {
  followUps?: Step[];
}

export function promptInputs(context: StepContext): PromptInputs {
  return { templates: context.deps.templates, panel: context.panel, meta: context.meta, recent: context.recent, images: context.images };
}

export function personaById(context: StepContext, personaId: string): Persona | undefined {
  return context.panel.personas.find((persona) => persona.id === personaId);
}

export function entry(context: StepContext, fields: Pick<TranscriptEntry, 'kind' | 'speakerId' | 'speakerName' | 'text'> & Partial<TranscriptEntry>): TranscriptEntry {
  return { at: Date.now(), stage: context.meta.stage, round: context.meta.round, ...fields };
}

export async function recordUsage(context: StepContext, usage: { promptTokens: number; completionTokens: number }): Promise<void> {
  const platform = context.sessionId.split(':')[0] ?? '';
  await context.deps.store.addUsage(context.sessionId, usage.promptTokens, usage.completionTokens, { platform, personId: context.meta.starter.id });
}

/**
 * Posts once per (step, key): a retried step finds the recorded message ids and does not post
 * again. (A crash between the platform accepting a post and the record being written can still
 * duplicate that one post; the window is one Redis round trip.)
 */
export async function postOnce(context: StepContext, key: string, speaker: Speaker, text: string, files?: OutboundFile[], payload?: string): Promise<PostResult> {
  const idempotencyKey = `${context.seq}:${key}`;
  const already = await context.deps.store.posted(context.sessionId, idempotencyKey);
  if (already) return { messageIds: already.ids };
  const result = await context.adapter.post({ sessionId: context.sessionId, speaker, text, files });
  await context.deps.store.recordPosted(context.sessionId, idempotencyKey, { ids: result.messageIds, ...(payload === undefined ? {} : { payload }) });
  return result;
}

/** The payload an earlier attempt of this step recorded with its post under `key`, if any. */
export async function earlierPayload(context: StepContext, key: string): Promise<string | undefined> {
  return (await context.deps.store.posted(context.sessionId, `${context.seq}:${key}`))?.payload;
}

export const moderator: Speaker = { kind: 'moderator' };

/**
 * Runs a persona's chat completion, streaming it into the thread when the adapter can, and
 * posts the final text once. Returns the visible text (reasoning removed). A re-run of a step
 * whose post went out returns the posted text without a second model call, so the transcript
 * says what the thread shows.
 */
export async function speak(context: StepContext, persona: Persona, key: string, messages: ChatMessage[]): Promise<string> {
  const idempotencyKey = `${context.seq}:${key}`;
  const already = await context.deps.store.posted(context.sessionId, idempotencyKey);
  if (already?.payload !== undefined) return already.payload;
  const identity = await context.deps.identityOf(persona);
  const speaker: Speaker = { kind: 'persona', persona: identity };
  const logger = context.logger.child({ persona: persona.id });
  await context.adapter.typing?.(context.sessionId).catch((error: unknown) => logger.debug({ err: error }, 'typing indicator failed'));
  const canStream = context.adapter.startStream !== undefined;
  // A crashed earlier attempt may have left a half-streamed message: continue that one.
  const streamKey = `${idempotencyKey}:stream`;
  const resume = canStream ? (await context.deps.store.posted(context.sessionId, streamKey))?.ids[0] : undefined;
  const stream = canStream
    ? await context.adapter.startStream!(
        { sessionId: context.sessionId, speaker },
        { ...(resume ? { resume } : {}), onStarted: (token) => context.deps.store.recordPosted(context.sessionId, streamKey, { ids: [token] }) },
      )
    : undefined;
  try {
    const result = await context.deps.models.chat({
      messages,
      model: persona.model,
      logger,
      onUsage: (usage) => recordUsage(context, usage),
      onText: stream ? (text) => stream.update(text) : undefined,
    });
    const text = cleanSpeech(result.text, persona);
    const posted = stream ? await stream.finish(text) : await context.adapter.post({ sessionId: context.sessionId, speaker, text });
    await context.deps.store.recordPosted(context.sessionId, idempotencyKey, { ids: posted.messageIds, payload: text });
    return text;
  } catch (error) {
    await stream?.abort(error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  }
}

/** Removes a leading "Name:" label or wrapping quotes that models like to add. */
export function cleanSpeech(text: string, persona: Persona): string {
  let cleaned = text.trim();
  const names = [persona.displayName, persona.displayName.split(/[\s(（]/)[0] ?? '', persona.id].filter(Boolean);
  for (const name of names) {
    const pattern = new RegExp(`^\\**\\[?${escapeRegExp(name)}\\]?\\**\\s*[:：]\\s*`, 'i');
    cleaned = cleaned.replace(pattern, '');
  }
  if (/^["“].*["”]$/s.test(cleaned) && !/["“”]/.test(cleaned.slice(1, -1))) cleaned = cleaned.slice(1, -1);
  return cleaned.trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
