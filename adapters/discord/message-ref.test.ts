import { describe, expect, it } from 'vitest';
import { decodeMessageRef, encodeMessageRef, snowflakeTime } from './message-ref.ts';

describe('Discord message refs', () => {
  it('round-trips webhook and bot refs and reads bare snowflakes as bot messages', () => {
    const webhook = { via: 'webhook' as const, webhookId: '111', messageId: '222' };
    expect(decodeMessageRef(encodeMessageRef(webhook))).toEqual(webhook);
    expect(decodeMessageRef(encodeMessageRef({ via: 'bot', messageId: '333' }))).toEqual({ via: 'bot', messageId: '333' });
    expect(decodeMessageRef('444')).toEqual({ via: 'bot', messageId: '444' });
    expect(decodeMessageRef('w:1:token-like')).toBeUndefined();
  });

  it('reads the creation time from a snowflake', () => {
    // Discord's documented example: 175928847299117063 → 2016-04-30T11:18:25.796Z
    expect(new Date(snowflakeTime('175928847299117063')).toISOString()).toBe('2016-04-30T11:18:25.796Z');
  });
});
