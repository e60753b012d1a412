import { describe, expect, it } from 'vitest';
import { buildSessionId, parseSessionId, isSessionId, platformOfSession } from './session-id.ts';

describe('session id', () => {
  it('builds {platform}:{channel}:{thread}', () => {
    expect(buildSessionId({ platform: 'discord', channel: '123', thread: '456' })).toBe('discord:123:456');
  });

  it('round-trips parts that contain colons and percent signs', () => {
    const address = { platform: 'slack' as const, channel: 'C1:x', thread: '1700000000.000%100' };
    expect(parseSessionId(buildSessionId(address))).toEqual(address);
  });

  it('rejects ids of the wrong shape or platform', () => {
    expect(isSessionId('irc:a:b')).toBe(false);
    expect(isSessionId('discord:a')).toBe(false);
    expect(isSessionId('discord:a:b:c')).toBe(false);
    expect(() => buildSessionId({ platform: 'terminal', channel: '', thread: 'x' })).toThrow();
  });

  it('gives the platform part of a session id as split would, encoded parts and all', () => {
    for (const id of [buildSessionId({ platform: 'slack', channel: 'C1:x', thread: '17.5' }), 'discord:1:2', 'terminal', '', ':a']) {
      expect(platformOfSession(id), id).toBe(id.split(':')[0]);
    }
  });
});
