/**
 * The uninstall intake on real Redis: `tokens_revoked` naming only user tokens changes nothing; a
 * revoked bot token deletes the installation, forgets the workspace's client and ends each
 * session started there once (under one event id per workspace), leaving other workspaces alone;
 * a failed end keeps the workspace's session index for the next event.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../../src/adapter/inbound-event.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import { deleteKeys, testRedis, uniqueName } from '../../test/harness/redis.ts';
import { TeamSessions } from './team-sessions.ts';
import { UninstallIntake, workspaceRemoval } from './uninstall-intake.ts';
import type { SlackWorkspaces } from './slack-workspaces.ts';

const redis = testRedis();
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteKeys(redis, prefix);
});
afterAll(() => redis.disconnect());

function setUp(options: { failFor?: string } = {}) {
  const prefix = uniqueName('slkuninst');
  prefixes.push(prefix);
  const teamSessions = new TeamSessions(redis, new RedisKeys(prefix), 60_000);
  const deleted: (string | undefined)[] = [];
  const forgotten: string[] = [];
  const ends: { sessionId: string; by: Person; eventId: string }[] = [];
  const seen = new Set<string>();
  const intake = new UninstallIntake({
    store: { deleteInstallation: async (query) => void deleted.push(query.teamId) },
    workspaces: { forget: (team: string) => void forgotten.push(team) } as unknown as SlackWorkspaces,
    teamSessions,
    roundtable: {
      endSession: async (sessionId, by, eventId) => {
        if (sessionId === options.failFor) throw new Error('redis blip');
        ends.push({ sessionId, by, eventId });
        // Like the session inbox: an event id is taken once per session.
        const fresh = !seen.has(`${sessionId}/${eventId}`);
        seen.add(`${sessionId}/${eventId}`);
        return fresh;
      },
    },
    logger: createLogger('silent'),
  });
  return { intake, teamSessions, deleted, forgotten, ends };
}

describe('UninstallIntake', () => {
  it('ignores revoked user tokens; a revoked bot token removes the installation and ends the workspace’s sessions', async () => {
    const { intake, teamSessions, deleted, forgotten, ends } = setUp();
    await teamSessions.add('T0LAMPS', 'slack:C1:1.000001');
    await teamSessions.add('T0LAMPS', 'slack:C2:1.000002');
    await teamSessions.add('T0KETTLE', 'slack:C3:1.000003');

    await intake.onTokensRevoked('T0LAMPS', undefined, { oauth: ['U0PERSON'] });
    expect(deleted).toEqual([]);
    expect(ends).toEqual([]);

    await intake.onTokensRevoked('T0LAMPS', undefined, { bot: ['U0BOT'] });
    expect(deleted).toEqual(['T0LAMPS']);
    expect(forgotten).toEqual(['T0LAMPS']);
    expect(ends.map((end) => end.sessionId).sort()).toEqual(['slack:C1:1.000001', 'slack:C2:1.000002']);
    expect(new Set(ends.map((end) => end.eventId))).toEqual(new Set(['slack-app-removed:T0LAMPS']));
    expect(ends.every((end) => end.by.id === workspaceRemoval.id)).toBe(true);
    expect(await teamSessions.list('T0LAMPS')).toEqual([]);
    expect(await teamSessions.list('T0KETTLE')).toEqual(['slack:C3:1.000003']);

    // app_uninstalled follows: nothing left to end.
    await intake.onRemoved('T0LAMPS', undefined, 'app_uninstalled');
    expect(ends).toHaveLength(2);
  });

  it('keeps the index when an end failed, so the next event tries again', async () => {
    const { intake, teamSessions, ends } = setUp({ failFor: 'slack:C1:1.000001' });
    await teamSessions.add('T0LAMPS', 'slack:C1:1.000001');
    await teamSessions.add('T0LAMPS', 'slack:C2:1.000002');
    await intake.onRemoved('T0LAMPS', undefined, 'tokens_revoked');
    expect(ends.map((end) => end.sessionId)).toEqual(['slack:C2:1.000002']);
    expect((await teamSessions.list('T0LAMPS')).sort()).toEqual(['slack:C1:1.000001', 'slack:C2:1.000002']);
  });
});
