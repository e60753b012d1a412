import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logger redaction', () => {
  it('redacts secret fields, config secrets and auth headers', () => {
    const { lines, logger } = capture();
    logger.info({ config: { DISCORD_TOKEN: 'abc.def.ghi', SLACK_SIGNING_SECRET: 's3cr3t', CHAT_MODEL: 'gpt' }, headers: { authorization: 'Bearer sk-live' }, webhook: { token: 'wh-token-123' } }, 'start');
    const line = lines.join('');
    expect(line).not.toMatch(/abc\.def\.ghi|s3cr3t|sk-live|wh-token-123/);
    expect(line).toContain('"CHAT_MODEL":"gpt"');
  });

  it('redacts the cluster, Sentinel and Slack OAuth secrets of the config', () => {
    const { lines, logger } = capture();
    logger.info({ config: { REDIS_CLUSTER_NODES: 'redis://app:pw-nodes@10.0.0.1:7000', REDIS_PASSWORD: 'pw-master', REDIS_SENTINEL_PASSWORD: 'pw-sentinel', SLACK_CLIENT_SECRET: 'client-secret-1', SLACK_STATE_SECRET: 'state-secret-1', SLACK_INSTALLATION_KEY: 'install-key-1', REDIS_SENTINEL_MASTER: 'mymaster' } }, 'start');
    const line = lines.join('');
    expect(line).not.toMatch(/pw-nodes|pw-master|pw-sentinel|client-secret-1|state-secret-1|install-key-1/);
    expect(line).toContain('"REDIS_SENTINEL_MASTER":"mymaster"');
  });

  it('scrubs tokens that appear inside messages and errors', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('POST https://discord.com/api/webhooks/123456/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 failed') }, 'xoxb-1234567890-abcdefghij leaked?');
    const line = lines.join('');
    expect(line).not.toContain('AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');
    expect(line).not.toContain('xoxb-1234567890-abcdefghij');
    expect(line).toContain('/webhooks/123456/[redacted]');
  });

  it('scrubs API keys, bot tokens and Redis passwords', () => {
    expect(scrubSecrets('key sk-proj-abcdefghijklmnop used')).toBe('key [redacted] used');
    expect(scrubSecrets('Authorization: Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123')).not.toMatch(/GaBcDe/);
    expect(scrubSecrets('redis://user:hunter2@host:6379')).toBe('redis://[redacted]@host:6379');
  });

  it('scrubs URL passwords with a raw # or ? (the parser ends the authority there), and leaves a query with an @ alone', () => {
    expect(scrubSecrets('connect redis://:pa#ss@host:6379 failed')).toBe('connect redis://[redacted]@host:6379 failed');
    expect(scrubSecrets('GET https://user:p?ss@host/ 401')).toBe('GET https://[redacted]@host/ 401');
    expect(scrubSecrets('redis://user:12#34@host:6379/0')).toBe('redis://[redacted]@host:6379/0');
    expect(scrubSecrets('redis://pa#ss@host')).toBe('redis://[redacted]@host');
    expect(scrubSecrets('rediss://:p#w?x/y@h:1')).toBe('rediss://[redacted]@h:1');
    expect(scrubSecrets('https://host?email=a@b.com')).toBe('https://host?email=a@b.com');
    expect(scrubSecrets('https://host:443/users/@me')).toBe('https://host:443/users/@me');

    const { lines, logger } = capture();
    logger.error({ err: new Error('connect ECONNREFUSED redis://:pa#ss@10.0.0.5:6379'), redisUrl: 'https://user:p?ss@host/' }, 'redis down at redis://:pa#ss@10.0.0.5:6379');
    expect(lines.join('')).not.toMatch(/pa#ss|p\?ss/);
  });
});
