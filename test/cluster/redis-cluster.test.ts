/**
 * The bot on a real three-node Redis Cluster (test/harness/redis-cluster.ts): whole sessions run
 * through the real app (BullMQ under a hash-tagged prefix, every Lua script, pacing budgets), the
 * terminal's entry point runs a scripted session end to end, and every script the bot ran kept its
 * keys in one slot — recorded client-side for each call, and checked server-side: no node ever
 * refused a command (a cross-slot script is refused with CROSSSLOT).
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { startTestApp, waitFor } from '../harness/test-app.ts';
import { uniqueName } from '../harness/redis.ts';
import { freePort } from '../harness/free-port.ts';
import { startLocalCluster, type LocalCluster } from '../harness/redis-cluster.ts';
import { RedisScript } from '../../src/store/redis-script.ts';
import { commitScript, createScript, pushInboxScript, requestStopScript, toggleBallotScript, usageScript } from '../../src/store/session-scripts.ts';
import { RateBudget } from '../../src/pacing/rate-budget.ts';
import { RedisKeys } from '../../src/store/keys.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

let cluster: LocalCluster;
let fake: FakeOpenAI;
let client: Cluster;
const apps: RunningApp[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster();
  client = cluster.client();
  fake = await startFakeOpenAI({ chat: roundtableReply });
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.stop();
  await fake?.close();
  await cluster?.stop();
});

/** Every script call of this process: which script, with which keys. */
const scriptCalls: { sha: string; keys: readonly string[] }[] = [];
function recordScripts(): () => void {
  const original = RedisScript.prototype.run;
  RedisScript.prototype.run = function (this: RedisScript, redis, keys, args) {
    scriptCalls.push({ sha: this.sha, keys: [...keys] });
    return original.call(this, redis, keys, args);
  };
  return () => {
    RedisScript.prototype.run = original;
  };
}

const slotOf = async (key: string) => Number(await client.call('CLUSTER', 'KEYSLOT', key));

/** Per node: commands refused or failed (NOSCRIPT, the first call of a script on a node, is the only failure allowed). */
async function refusals(): Promise<string[]> {
  const found: string[] = [];
  for (const server of cluster.servers) {
    const node = cluster.nodes.find((candidate) => candidate.port === server.port)!;
    const { Redis } = await import('ioredis');
    const direct = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 1 });
    const errors = (await direct.info('errorstats')).split('\n').filter((line) => line.startsWith('errorstat_') && !/^errorstat_(NOSCRIPT|ERR):/.test(line));
    const commands = (await direct.info('commandstats')).split('\n').filter((line) => /rejected_calls=[1-9]/.test(line));
    direct.disconnect();
    found.push(...[...errors, ...commands].map((line) => `${node.port}: ${line.trim()}`));
  }
  return found;
}

describe('on a three-node Redis Cluster', () => {
  it('runs whole sessions with a person, a vote and an end; every script’s keys hash to one slot; no node refuses a command', { timeout: 120_000 }, async () => {
    const stopRecording = recordScripts();
    try {
      const adapter = new RecordingAdapter();
      const prefix = uniqueName('cl');
      const queueName = uniqueName('q');
      // A fast sweeper: its lease and its pruning of the pending index run too.
      const env = { REDIS_URL: undefined, REDIS_CLUSTER_NODES: cluster.nodesSetting, MODEL_RPM: 600, AUTO_ROUNDS: 1, SWEEPER_INTERVAL_MS: 200 };
      // A gateway and a worker, as a deployment runs them: the gateway only enqueues, the worker runs steps.
      const httpPort = await freePort();
      const gateway = await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { ...env, ROLE: 'gateway', HTTP_PORT: httpPort } });
      apps.push(gateway);
      apps.push(await startTestApp({ modelUrl: fake.url, adapters: [adapter], prefix, queueName, env: { ...env, ROLE: 'worker' } }));
      // The gateway's health sees the worker through the cluster (BullMQ's worker list), /metrics the queue.
      await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()) as { ok: boolean }).ok, 'the gateway to see a worker', 15_000);
      expect(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()).toMatch(/tableround_queue_depth\{state="waiting"\} \d+/);
      const person = { id: 'u1', displayName: 'Ana', managesCommunity: true };
      // The community's own panel (a saved copy of a built-in, under a new id) and a channel setting.
      const here = { platform: 'terminal' as const, channel: 'cluster', thread: 'setup' };
      const builtIn = JSON.parse((await gateway.runCommand({ name: 'panel', options: { action: 'json', args: 'product-strategy' }, person, address: here, sessionId: undefined })).text.replace(/^[^{]*|[^}]*$/g, '')) as { id: string; name?: string };
      const saved = await gateway.runCommand({ name: 'panel', options: { action: 'save', args: JSON.stringify({ ...builtIn, id: 'cluster-panel' }) }, person, address: here, sessionId: undefined });
      expect(saved.text).toMatch(/cluster-panel/);
      expect((await gateway.runCommand({ name: 'config', options: { action: 'set', key: 'panel', value: 'cluster-panel' }, person, address: here, sessionId: undefined })).text).toMatch(/^Set panel to cluster-panel/);
      const threads = ['one', 'two', 'three'];
      const sessions = await Promise.all(threads.map((thread) => gateway.roundtable.start({ address: { platform: 'terminal', channel: 'cluster', thread }, person, topic: `A lamp for dorm ${thread}`, rounds: 1 })));
      const idle = (sessionId: string, what: string) => waitFor(async () => !(await gateway.roundtable.isBusy(sessionId)), what, 60_000);
      for (const { sessionId } of sessions) await idle(sessionId, 'the first round');

      const [{ sessionId }] = sessions as [{ sessionId: string }];
      expect((await gateway.store.load(sessionId))?.panelId).toBe('cluster-panel');
      const address = { platform: 'terminal' as const, channel: 'cluster', thread: 'one' };
      await gateway.roundtable.submit(sessionId, person, { type: 'message', text: 'Could felt be fireproof enough?', images: [] });
      await idle(sessionId, 'the answer');
      await gateway.runCommand({ name: 'vote', options: {}, person, address, sessionId });
      await waitFor(async () => (await gateway.store.poll(sessionId))?.status === 'open', 'the poll to open', 60_000);
      const poll = (await gateway.store.poll(sessionId))!;
      expect((await gateway.roundtable.toggleBallot(sessionId, person, poll.pollId, 0)).outcome).toBe('applied');
      await idle(sessionId, 'the personas’ ballots');
      await gateway.runCommand({ name: 'vote', options: { action: 'close' }, person, address, sessionId });
      await idle(sessionId, 'the poll to close');
      expect((await gateway.store.poll(sessionId))?.status).toBe('closed');
      // A /stop on an idle session: its script runs, nothing is stopped.
      const second = sessions[1]!.sessionId;
      await gateway.runCommand({ name: 'stop', options: {}, person, address: { ...address, thread: 'two' }, sessionId: second });
      await gateway.runCommand({ name: 'end', options: {}, person, address, sessionId });
      await waitFor(async () => (await gateway.store.load(sessionId))?.status === 'ended', 'the session to end', 60_000);

      // Every session spoke: the panel's persona turns, no step skipped.
      for (const session of sessions) {
        const posts = adapter.postsOf(session.sessionId);
        expect(posts.filter((post) => post.speaker !== 'moderator').length, session.sessionId).toBeGreaterThanOrEqual(6);
        expect(posts.filter((post) => /skipp|could not/i.test(post.text)), session.sessionId).toEqual([]);
      }
      expect(adapter.postsOf(sessionId).some((post) => post.files.some((file) => file.filename.endsWith('.md')))).toBe(true);

      // Client side: each call's keys in one slot, across the scripts the sessions used.
      expect(scriptCalls.length).toBeGreaterThan(50);
      for (const call of scriptCalls) {
        const slots = new Set(await Promise.all(call.keys.map(slotOf)));
        expect(slots.size, `script ${call.sha.slice(0, 8)} keys ${call.keys.join(' ')}`).toBeLessThanOrEqual(1);
      }
      const ran = new Set(scriptCalls.map((call) => call.sha));
      for (const script of [commitScript, createScript, pushInboxScript, toggleBallotScript, usageScript, requestStopScript]) expect(ran.has(script.sha)).toBe(true);
      expect(ran.size).toBeGreaterThanOrEqual(11);
      // Server side: nothing refused (CROSSSLOT, MOVED loops, …), on any node.
      expect(await refusals()).toEqual([]);
      // The keys are spread over the cluster, not piled on one node.
      const sizes = await Promise.all(cluster.nodes.map(async (node) => Number(await client.nodes('master').find((master) => master.options.port === node.port)!.dbsize())));
      expect(sizes.filter((size) => size > 0).length, `keys per node ${sizes.join(', ')}`).toBeGreaterThanOrEqual(2);
    } finally {
      stopRecording();
    }
  });

  it('reserves the buckets of one write (a Discord webhook and its channel; a Slack channel and its workspace) in one script on one slot', async () => {
    const keys = new RedisKeys(uniqueName('cl'));
    const budget = new RateBudget(client, keys);
    const discord = [
      { bucket: 'discord:channel:1100', limit: 5, windowMs: 60_000 },
      { bucket: 'discord:webhook:2200', limit: 5, windowMs: 2_000 },
    ];
    const slack = [
      { bucket: 'slack:post:C0123', limit: 1, windowMs: 1_000 },
      { bucket: 'slack:post-workspace:T0123', limit: 280, windowMs: 60_000 },
    ];
    expect(await budget.tryReserve(discord)).toBe(0);
    expect(await budget.tryReserve(slack)).toBe(0);
    // The Slack channel's one-a-second bucket is full: the next post waits.
    expect(await budget.tryReserve(slack)).toBeGreaterThan(0);
    await budget.reserve(discord);
    expect(await client.zcard(keys.budget('discord:webhook:2200'))).toBe(2);
    const token = await budget.tryHold(discord);
    expect(token).toBeDefined();
    await budget.spendHold(discord, token!);
    expect(await refusals()).toEqual([]);
  });

  it('runs the terminal’s scripted session (the README’s `npm start` path) end to end', { timeout: 120_000 }, async () => {
    const dataDir = `/tmp/${uniqueName('trcl')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/terminal/console-main.ts', '--topic', 'A felt lamp for student dorms', '--rounds', '1'], {
      env: { ...process.env, REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodesSetting, REDIS_KEY_PREFIX: uniqueName('term'), QUEUE_NAME: uniqueName('q'), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(['Hello panel, could felt be fireproof enough?', '/vote', '/ballot 1 3', '/vote close', '/end'].join('\n') + '\n');
    const exitCode = await new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      expect(exitCode, stderr).toBe(0);
      const transcript = /^transcript: (.+\.md)$/m.exec(stdout)?.[1];
      expect(transcript, stdout.slice(-2_000)).toBeDefined();
      expect(existsSync(transcript!)).toBe(true);
      expect(stdout).toMatch(/Vote closed|Result/i);
      expect(await refusals()).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
