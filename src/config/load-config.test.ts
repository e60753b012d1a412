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
