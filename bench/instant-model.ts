/**
 * A model that answers at once, in process: a ModelGateway whose calls return without any
 * network, so the benches measure our orchestration and nothing else. It records every call
 * and checks the engine's promise that a session never has two model calls in flight.
 */
import type { z } from 'zod';
import type { Logger } from '../src/logging/logger.ts';
import type { Metrics } from '../src/observability/metrics.ts';
import { configFrom } from '../src/config/load-config.ts';
import { ModelGateway, type CallContext, type ChatMessage, type ChatRequest, type ChatResult, type JsonResult, type Usage } from '../src/models/model-gateway.ts';
import { TableRoundError } from '../src/errors.ts';
import { realisticText } from './realistic-text.ts';

export interface RecordedCall {
  sessionId: string;
  role: 'chat' | 'summary';
  messages: ChatMessage[];
  at: number;
}

export interface InstantModelOptions {
  /** Characters per answer (mixed CJK/Latin). */
  answerChars?: number;
  /** Keep every call's messages (prompt bench); off by default to keep memory flat. */
  keepMessages?: boolean;
}

export class InstantModel extends ModelGateway {
  calls = 0;
  callsByRole: Record<string, number> = {};
  /** Most calls ever in flight at once for one session (the engine promises 1). */
  maxInFlightPerSession = 0;
  sessionsWithOverlap = new Set<string>();
  readonly recorded: RecordedCall[] = [];
  private readonly inFlight = new Map<string, number>();
  /** Told when a call starts and ends (the bench's per-phase breakdown). */
  onCall?: (sessionId: string, moment: 'start' | 'end') => void;

  constructor(
    logger: Logger,
    metrics: Metrics | undefined,
    private readonly options: InstantModelOptions = {},
  ) {
    super(configFrom({ OPENAI_API_KEY: 'unused' }), undefined, logger, metrics);
  }

  override async chat(request: ChatRequest): Promise<ChatResult> {
    const sessionId = sessionOf(request.logger);
    const role = request.role ?? 'chat';
    this.enter(sessionId);
    this.onCall?.(sessionId, 'start');
    try {
      this.calls += 1;
      this.callsByRole[role] = (this.callsByRole[role] ?? 0) + 1;
      if (this.options.keepMessages) this.recorded.push({ sessionId, role, messages: request.messages, at: performance.now() });
      // Yield once, as any real call would, so an overlapping second call could be observed.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const text = realisticText(this.calls, this.options.answerChars ?? 300);
      // Usage is reported as a real provider would; a cheap chars/3 stand-in keeps the model's own cost out of the figures.
      const usage: Usage = { promptTokens: Math.ceil(request.messages.reduce((sum, message) => sum + contentText(message).length, 0) / 3), completionTokens: Math.ceil(text.length / 3) };
      await request.onUsage?.(usage, 'instant');
      return { text, model: 'instant', usage, finishReason: 'stop' };
    } finally {
      this.onCall?.(sessionId, 'end');
      this.leave(sessionId);
    }
  }

  override async json<T>(_schema: z.ZodType<T>, name: string): Promise<JsonResult<T>> {
    throw new TableRoundError('model_not_configured', `the instant bench model does not answer structured requests (${name})`);
  }

  override async describeImage(_jpeg: Buffer, _prompt: string, _context: CallContext): Promise<ChatResult> {
    throw new TableRoundError('model_not_configured', 'the instant bench model does not describe images');
  }

  override async generateImages(): Promise<Buffer[]> {
    throw new TableRoundError('model_not_configured', 'the instant bench model does not generate images');
  }

  private enter(sessionId: string): void {
    const count = (this.inFlight.get(sessionId) ?? 0) + 1;
    this.inFlight.set(sessionId, count);
    if (count > this.maxInFlightPerSession) this.maxInFlightPerSession = count;
    if (count > 1) this.sessionsWithOverlap.add(sessionId);
  }

  private leave(sessionId: string): void {
    const count = (this.inFlight.get(sessionId) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(sessionId);
    else this.inFlight.set(sessionId, count);
  }
}

/** The step machine's logger carries the session id as a binding (`logger.child({ sessionId, seq })`). */
function sessionOf(logger: Logger | undefined): string {
  const bindings = logger?.bindings() as { sessionId?: unknown } | undefined;
  return typeof bindings?.sessionId === 'string' ? bindings.sessionId : 'unknown';
}

export function contentText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content)) return message.content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
  return '';
}
