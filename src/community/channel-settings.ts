/**
 * Settings a community's managers give one channel (`/config`): which panel, preset, rounds and
 * language a session there starts with, who may start one, whether the bot answers there at
 * all, and token budgets within the global ones. Kept as a Redis hash per channel
 * (`RedisKeys.channelSettings`), read when a session starts (the session keeps what it started
 * under, shown in its opening post).
 *
 * Every value is checked here, against the config and what is installed; an unknown key or a bad
 * value gets one line that lists what is allowed.
 */
import type { RedisClient } from '../store/redis-connection.ts';
import type { Config } from '../config/config-schema.ts';
import { TableRoundError } from '../errors.ts';
import { canonicalLanguage } from '../prompts/detect-language.ts';
import type { RedisKeys } from '../store/keys.ts';

export const settingKeys = ['panel', 'preset', 'rounds', 'language', 'starters', 'enabled', 'session-budget', 'person-budget'] as const;
export type SettingKey = (typeof settingKeys)[number];
export type ChannelSettings = Partial<Record<SettingKey, string>>;

/** What a value is checked against: the config, and the panels and presets a session here could use. */
export interface SettingChecks {
  config: Pick<Config, 'MAX_ROUNDS' | 'SESSION_TOKEN_BUDGET' | 'USER_TOKEN_BUDGET'>;
  panelIds: readonly string[];
  presetIds: readonly string[];
}

/** What each key accepts, as the refusal lists it. */
export function allowedValues(key: SettingKey, checks: SettingChecks): string {
  const { config } = checks;
  switch (key) {
    case 'panel':
      return `a panel id (${checks.panelIds.join(', ')})`;
    case 'preset':
      return checks.presetIds.join(', ');
    case 'rounds':
      return `a whole number from 0 to ${config.MAX_ROUNDS}`;
    case 'language':
      return 'auto, or a language code such as en, zh, fr';
    case 'starters':
      return 'everyone, managers, or role:<role id> (Discord; on Slack the manager user group)';
    case 'enabled':
      return 'on or off';
    case 'session-budget':
      return config.SESSION_TOKEN_BUDGET > 0 ? `tokens, from 1,000 to ${config.SESSION_TOKEN_BUDGET.toLocaleString('en')}` : 'tokens, 1,000 or more';
    case 'person-budget':
      return config.USER_TOKEN_BUDGET > 0 ? `tokens, from 1,000 to ${config.USER_TOKEN_BUDGET.toLocaleString('en')}` : 'tokens, 1,000 or more';
  }
}

function refuse(key: string, value: string, allowed: string): never {
  throw new TableRoundError('bad_command', `setting ${key}=${value.slice(0, 40)} refused`, { publicMessage: `“${value.slice(0, 40)}” is not a value for ${key}: use ${allowed}.` });
}

export function isSettingKey(key: string): key is SettingKey {
  return (settingKeys as readonly string[]).includes(key);
}

/** The key people typed, or a refusal that lists the keys. */
export function settingKey(key: string): SettingKey {
  const normal = key.trim().toLowerCase();
  if (!isSettingKey(normal)) throw new TableRoundError('bad_command', `setting ${key.slice(0, 40)} unknown`, { publicMessage: `There is no setting “${key.slice(0, 40)}”. Settings: ${settingKeys.join(', ')}.` });
  return normal;
}

/** The value as stored, or a refusal that says what is allowed. */
export function checkSetting(key: SettingKey, raw: string, checks: SettingChecks): string {
  const value = raw.trim();
  const allowed = allowedValues(key, checks);
  const tokens = (ceiling: number) => {
    const amount = Number(value.replace(/[,_]/g, ''));
    if (!Number.isInteger(amount) || amount < 1_000 || (ceiling > 0 && amount > ceiling)) refuse(key, value, allowed);
    return String(amount);
  };
  switch (key) {
    case 'panel':
      if (!checks.panelIds.includes(value)) refuse(key, value, allowed);
      return value;
    case 'preset':
      if (!checks.presetIds.includes(value)) refuse(key, value, allowed);
      return value;
    case 'rounds': {
      const rounds = Number(value);
      if (!/^\d+$/.test(value) || rounds > checks.config.MAX_ROUNDS) refuse(key, value, allowed);
      return String(rounds);
    }
    case 'language': {
      if (value.toLowerCase() === 'auto') return 'auto';
      const code = canonicalLanguage(value);
      if (!code) refuse(key, value, allowed);
      return code;
    }
    case 'starters': {
      const lower = value.toLowerCase();
      if (lower === 'everyone' || lower === 'managers') return lower;
      const role = /^role:(\d{5,25}|S[A-Z0-9]{4,24})$/.exec(value) ?? /^<@&(\d{5,25})>$/.exec(value);
      if (!role) refuse(key, value, allowed);
      return `role:${role[1]}`;
    }
    case 'enabled': {
      const lower = value.toLowerCase();
      if (['on', 'yes', 'true'].includes(lower)) return 'on';
      if (['off', 'no', 'false'].includes(lower)) return 'off';
      return refuse(key, value, allowed);
    }
    case 'session-budget':
      return tokens(checks.config.SESSION_TOKEN_BUDGET);
    case 'person-budget':
      return tokens(checks.config.USER_TOKEN_BUDGET);
  }
}

/** One line per setting, in key order (`rounds: 3`). */
export function describeSettings(settings: ChannelSettings): string[] {
  return settingKeys.filter((key) => settings[key] !== undefined).map((key) => `${key}: ${settings[key]}`);
}

export class ChannelSettingsStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async read(community: string, channel: string): Promise<ChannelSettings> {
    const hash = await this.redis.hgetall(this.keys.channelSettings(community, channel));
    return Object.fromEntries(Object.entries(hash).filter(([key]) => isSettingKey(key))) as ChannelSettings;
  }

  async set(community: string, channel: string, key: SettingKey, value: string): Promise<void> {
    await this.redis.hset(this.keys.channelSettings(community, channel), key, value);
  }

  /** True when the key was set. */
  async reset(community: string, channel: string, key: SettingKey): Promise<boolean> {
    return (await this.redis.hdel(this.keys.channelSettings(community, channel), key)) === 1;
  }
}
