import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.ts';
import { configFrom, loadConfig } from './load-config.ts';

describe('config', () => {
  it('has safe defaults for everything', () => {
    const config = configFrom({});
    expect(config.AUTO_ROUNDS).toBe(2);
    expect(config.VOTE_THRESHOLD).toBe(0.6);
    expect(config.SESSION_TTL_HOURS).toBe(24);
    expect(config.DISCORD_API_URL).toBe('https://discord.com/api');
  });

  it('names every offending variable', () => {
    expect(() => loadConfig({ WORKER_CONCURRENCY: 'many', OPENAI_BASE_URL: 'not a url' }, '/none')).toThrow(/WORKER_CONCURRENCY.*OPENAI_BASE_URL|OPENAI_BASE_URL.*WORKER_CONCURRENCY/);
  });

  it('checks rules across variables', () => {
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'https://bot.example.com' }, '/none')).toThrow(/PUBLIC_BASE_URL: needs HTTP_PORT/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'https://bot.example.com', ROLE: 'gateway' }, '/none')).toThrow(/PUBLIC_BASE_URL: needs HTTP_PORT/);
    // Workers only link to the avatars a gateway serves: the rule does not apply to them.
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://bot.example.com', ROLE: 'worker' }, '/none').ROLE).toBe('worker');
  });

  it('checks the worker-side rules only in roles that run steps: a gateway starts, a worker or all does not', () => {
    const workerOnly = { SESSION_TTL_HOURS: '24', IDLE_END_HOURS: '30', VISION_BOX: '512', VISION_SHORT_SIDE: '768' };
    expect(loadConfig({ ...workerOnly, ROLE: 'gateway' }, '/none').ROLE).toBe('gateway');
    for (const role of ['worker', 'all']) {
      expect(() => loadConfig({ ...workerOnly, ROLE: role }, '/none')).toThrow(/IDLE_END_HOURS: must be below SESSION_TTL_HOURS.*VISION_SHORT_SIDE: must not exceed VISION_BOX/);
    }
    // The terminal runs steps too.
    expect(() => loadConfig({ ...workerOnly, ROLE: 'gateway' }, '/none', 'terminal')).toThrow(/IDLE_END_HOURS/);
  });

  it('checks the terminal as the terminal runs: PUBLIC_BASE_URL without HTTP_PORT does not stop it, whatever ROLE says', () => {
    const avatars = { PUBLIC_BASE_URL: 'https://bot.example.com', HTTP_PORT: '0' };
    expect(() => loadConfig({ ...avatars, ROLE: 'all' }, '/none')).toThrow(/PUBLIC_BASE_URL: needs HTTP_PORT/);
    for (const role of ['all', 'gateway', 'worker']) expect(loadConfig({ ...avatars, ROLE: role }, '/none', 'terminal').PUBLIC_BASE_URL).toBe('https://bot.example.com');
    // Decided from the values, as `npm start` does: the terminal when no platform token is set.
    const terminalUnlessTokens = (values: Readonly<Record<string, string>>) => (values.DISCORD_TOKEN || values.SLACK_BOT_TOKEN ? undefined : 'terminal' as const);
    expect(loadConfig({ ...avatars, ROLE: 'all' }, '/none', terminalUnlessTokens).PUBLIC_BASE_URL).toBe('https://bot.example.com');
    expect(() => loadConfig({ ...avatars, ROLE: 'all', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, '/none', terminalUnlessTokens)).toThrow(/PUBLIC_BASE_URL: needs HTTP_PORT/);
  });

  it('refuses a Redis password with a raw # ? / or @, saying to percent-encode it, and never repeats the URL', () => {
    for (const url of ['redis://:pa#ss@redis.example.com:6379', 'rediss://user:p?ss@redis.example.com:6380', 'redis://:pa/ss@redis.example.com', 'redis://:p@ss@redis.example.com']) {
      let message = '';
      try {
        loadConfig({ REDIS_URL: url }, '/none');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, url).toMatch(/REDIS_URL: has a #, \?, \/ or @ in its user name or password: percent-encode them \(# as %23/);
      expect(message).not.toMatch(/pa#ss|p\?ss|pa\/ss|p@ss|example\.com/);
    }
    expect(loadConfig({ REDIS_URL: 'redis://:pa%23ss@redis.example.com:6379/0' }, '/none').REDIS_URL).toBe('redis://:pa%23ss@redis.example.com:6379/0');
    expect(loadConfig({ REDIS_URL: 'redis://redis.example.com:6379/0?family=6' }, '/none').REDIS_URL).toMatch(/family=6$/);
  });

  it('takes Redis URLs and socket paths only', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@redis.example.com:6380' }, '/none').REDIS_URL).toMatch(/^rediss:/);
    expect(loadConfig({ REDIS_URL: '/run/redis/redis.sock' }, '/none').REDIS_URL).toBe('/run/redis/redis.sock');
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' }, '/none')).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ AUTO_ROUNDS: '', OPENAI_API_KEY: '' }, '/none').AUTO_ROUNDS).toBe(2);
  });

  it('accepts .env.example as it is (copied to .env)', () => {
    expect(loadConfig({}, '.env.example').SLACK_COMMAND).toBe('/roundtable');
  });

  it('documents every variable in .env.example and README.md', () => {
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    for (const name of Object.keys(configSchema.shape)) {
      expect(example, `.env.example lacks ${name}`).toContain(name);
      expect(readme, `README.md lacks ${name}`).toContain(`\`${name}\``);
    }
  });
});
