/**
 * Delivers what Slack sends to an app: Events API callbacks (JSON), slash commands
 * (form-encoded) and interactivity payloads (form-encoded `payload=`), signed with the signing
 * secret — over HTTP to the bot's endpoint, or as Socket Mode envelopes. Events that are not
 * acknowledged with a 2xx within 3 s are retried with `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`
 * (Slack: up to 3 retries).
 */
import { signedHeaders } from './request-signing.ts';
import type { EnvelopeType, SocketModeServer } from './socket-mode-server.ts';

export type DeliveryKind = 'event' | 'command' | 'interactive';

export interface Delivery {
  kind: DeliveryKind;
  eventId?: string;
  retryNum: number;
  /** HTTP status, or 200 for an acked Socket Mode envelope, 0 for a timeout. */
  status: number;
  elapsedMs: number;
  /** The response body (HTTP) or the ack payload (Socket Mode). */
  body: string;
}

export interface EventSenderOptions {
  signingSecret: string;
  transport: 'http' | 'socket';
  botUrl: string | undefined;
  socket: SocketModeServer;
  /** Delays before retries 1..n of an unacknowledged event (Slack: immediately, 1 min, 5 min). */
  retryDelaysMs: number[];
  ackTimeoutMs: number;
}

const envelopeTypes: Record<DeliveryKind, EnvelopeType> = { event: 'events_api', command: 'slash_commands', interactive: 'interactive' };

export class EventSender {
  readonly deliveries: Delivery[] = [];
  /** Every event callback sent, by event_id, so a test can make Slack retry it. */
  private readonly sentEvents = new Map<string, Record<string, unknown>>();

  constructor(private readonly options: EventSenderOptions) {}

  set botUrl(url: string) {
    this.options.botUrl = url;
  }

  /** Sends once, without retries. `overrides` forge headers or the timestamp (negative tests). */
  async sendOnce(
    kind: DeliveryKind,
    payload: Record<string, unknown>,
    options: { retryNum?: number; retryReason?: string; timestampSeconds?: number; signature?: string } = {},
  ): Promise<Delivery> {
    const eventId = typeof payload.event_id === 'string' ? payload.event_id : undefined;
    if (kind === 'event' && eventId) this.sentEvents.set(eventId, payload);
    const retryNum = options.retryNum ?? 0;
    if (this.options.transport === 'socket') {
      const ack = await this.options.socket.deliver(envelopeTypes[kind], payload, {
        retryAttempt: retryNum,
        ...(options.retryReason ? { retryReason: options.retryReason } : {}),
        timeoutMs: this.options.ackTimeoutMs,
      });
      const delivery: Delivery = { kind, ...(eventId ? { eventId } : {}), retryNum, status: ack.acked ? 200 : 0, elapsedMs: ack.elapsedMs, body: JSON.stringify(ack.payload ?? null) };
      this.deliveries.push(delivery);
      return delivery;
    }
    if (!this.options.botUrl) throw new Error('the emulator has no bot URL to deliver to');
    const body = kind === 'event' ? JSON.stringify(payload) : kind === 'command' ? new URLSearchParams(payload as Record<string, string>).toString() : new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const headers: Record<string, string> = {
      'content-type': kind === 'event' ? 'application/json' : 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signedHeaders(this.options.signingSecret, body, options.timestampSeconds),
      ...(options.signature ? { 'X-Slack-Signature': options.signature } : {}),
      ...(retryNum > 0 ? { 'X-Slack-Retry-Num': String(retryNum), 'X-Slack-Retry-Reason': options.retryReason ?? 'http_timeout' } : {}),
    };
    const started = Date.now();
    let status = 0;
    let text = '';
    try {
      const response = await fetch(this.options.botUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.ackTimeoutMs) });
      status = response.status;
      text = await response.text();
    } catch {
      status = 0; // timed out or refused: Slack counts it as not delivered
    }
    const delivery: Delivery = { kind, ...(eventId ? { eventId } : {}), retryNum, status, elapsedMs: Date.now() - started, body: text };
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Sends an already delivered event again, as Slack's retry `retryNum` (as if the ack was lost). */
  redeliver(eventId: string, retryNum = 1, retryReason = 'http_timeout'): Promise<Delivery> {
    const payload = this.sentEvents.get(eventId);
    if (!payload) throw new Error(`no event ${eventId} was sent`);
    return this.sendOnce('event', payload, { retryNum, retryReason });
  }

  /** Delivers an event callback the way Slack does: retried while not acknowledged in time. */
  async deliverEvent(payload: Record<string, unknown>): Promise<Delivery[]> {
    const attempts: Delivery[] = [];
    for (let retryNum = 0; retryNum <= this.options.retryDelaysMs.length; retryNum += 1) {
      if (retryNum > 0) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelaysMs[retryNum - 1]));
      const previous = attempts[attempts.length - 1];
      const retryReason = previous && previous.status === 0 ? 'http_timeout' : 'http_error';
      const delivery = await this.sendOnce('event', payload, { retryNum, ...(retryNum > 0 ? { retryReason } : {}) });
      attempts.push(delivery);
      if (delivery.status >= 200 && delivery.status < 300) break;
    }
    return attempts;
  }
}
