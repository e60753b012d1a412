/**
 * Slack's request signing (v0): `X-Slack-Signature: v0=` + hex HMAC-SHA256 of
 * `v0:{timestamp}:{raw body}` keyed with the signing secret; `X-Slack-Request-Timestamp` in
 * seconds.
 */
import { createHmac } from 'node:crypto';

export function signatureFor(signingSecret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

export function signedHeaders(signingSecret: string, body: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'X-Slack-Request-Timestamp': String(timestampSeconds),
    'X-Slack-Signature': signatureFor(signingSecret, timestampSeconds, body),
  };
}
