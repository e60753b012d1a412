/**
 * Panels from chat in the terminal (the person at the terminal manages its community): a drafted
 * panel is listed one persona a line and answered by the next typed line (`save`); `/panel edit`
 * gives the panel's JSON to change and save back; `/config set
 * panel` makes it the default of the terminal's channel, and the next terminal session sits with it.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { cleanupRedis } from '../harness/test-app.ts';
import { testRedisUrl, uniqueName } from '../harness/redis.ts';

const prefix = uniqueName('tpanels');
const dataDir = `/tmp/${uniqueName('trpanels')}`;
afterAll(async () => {
  await cleanupRedis(prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

function runConsole(args: string[], env: Record<string, string>, input: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/terminal/console-main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

describe('panels from chat in the terminal', () => {
  it('drafts a panel, saves it with the next line, makes it the default, and the next session sits with it', { timeout: 120_000 }, async () => {
    const fake = await startFakeOpenAI({ chat: roundtableReply });
    const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, QUEUE_NAME: uniqueName('q'), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', DATA_DIR: dataDir, LOG_LEVEL: 'error' };
    try {
      const first = await runConsole(['--topic', 'A lamp', '--rounds', '0'], env, ['/panel new a bakery and its neighbours', 'save', '/config set panel bakery-corner', '/panel list', '/panel edit bakery-corner'].join('\n'));
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Draft for “a bakery and its neighbours”: Bakery corner (bakery-corner)');
      expect(first.stdout).toContain('3. Mina Seller — Shopkeeper: What a shopkeeper brings to the table');
      expect(first.stdout).toMatch(/Type save, again, cancel/);
      expect(first.stdout).toContain('Saved panel bakery-corner (version 1, 4 personas)');
      expect(first.stdout).toContain('Set panel to bakery-corner for this channel');
      expect(first.stdout).toContain('• bakery-corner — Bakery corner (4 personas, v1 by');
      // The terminal edits by a JSON round trip: the panel's JSON out, /panel save back.
      expect(first.stdout).toContain('Change what you need in this JSON and send it back with /panel save:');
      expect(first.stdout).toContain('{"id":"bakery-corner","name":"Bakery corner"');

      const second = await runConsole(['--topic', 'Bread for night shifts', '--rounds', '0'], env, '');
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('Panel (Bakery corner): Rosa Baker (Baker), Karl Miller (Miller), Mina Seller (Shopkeeper), Otto Regular (Regular customer).');
      expect(second.stdout).toContain('This channel’s settings: panel: bakery-corner.');
    } finally {
      await fake.close();
    }
  });
});
