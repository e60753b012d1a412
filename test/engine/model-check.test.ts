/**
 * `npm run check:model`'s report (adapters/terminal/model-check.ts) against the fake
 * OpenAI-compatible server: every stage of a short session runs on the real engine and is
 * reported; a model whose ballots need repair says so; a broken endpoint fails the first stage
 * with a true sentence, and the report says how many stages failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalAdapter } from '../../adapters/terminal/terminal-adapter.ts';
import { runModelCheck } from '../../adapters/terminal/model-check.ts';
import { e2eChat, schemaName } from '../discord-e2e/e2e-harness.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { cleanupRedis, startTestApp } from '../harness/test-app.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function check(openai: FakeOpenAI) {
  let printed = '';
  const directory = mkdtempSync(join(tmpdir(), 'tableround-model-check-'));
  const terminal = new TerminalAdapter({ write: (text: string) => (printed += text) }, join(directory, 'files'), join(directory, 'transcripts'), false);
  const app = await startTestApp({ modelUrl: openai.url, adapters: [terminal], env: { AUTO_ROUNDS: 1, PANELS_DIR: join(import.meta.dirname, '../discord-e2e/panels'), DEFAULT_PANEL: 'mini', MODEL_MAX_RETRIES: 0 } });
  stops.push(async () => {
    await app.stop();
    await cleanupRedis(app.prefix);
  });
  const lines: string[] = [];
  const result = await runModelCheck(app, { topic: 'A reading lamp', personMessage: 'One hand, half asleep?', stageTimeoutMs: 30_000, write: (line) => lines.push(line), printed: () => printed });
  return { result, lines };
}

describe('check:model', () => {
  it('runs every stage of a short session and reports each', async () => {
    const openai = await startFakeOpenAI({ chat: (request) => {
      const name = schemaName(request);
      if (name === 'check') return { kind: 'json', value: { colour: 'green', reason: 'Calm at night.' } };
      return name === 'ballot' ? { kind: 'text', text: 'I pick 1 and 2.' } : e2eChat(request);
    } });
    stops.push(() => openai.close());
    const { result, lines } = await check(openai);
    expect(result.stages.map((stage) => [stage.name, stage.ok])).toEqual([
      ['model answers', true],
      ['structured answer', true],
      ['opening + discussion', true],
      ['reply to a person', true],
      ['keywords + ballots', true],
      ['vote result', true],
      ['closing summary', true],
    ]);
    expect(result.ok).toBe(true);
    const ballots = lines.find((line) => line.includes('keywords + ballots'));
    // The ballots were prose: read by the repair, not skipped.
    expect(ballots).toMatch(/ballot: 0 accepted, [1-9]\d* repaired, 0 retried, 0 skipped/);
    expect(lines.find((line) => line.includes('opening + discussion'))).toMatch(/persona post\(s\).*prompt ~\d+ of \d+ tokens/);
    expect(lines.at(-1)).toBe('All 7 stages worked.');
  });

  it('fails the stage that fails, with a true sentence, and says so at the end', async () => {
    const openai = await startFakeOpenAI({ chat: () => ({ kind: 'error', status: 401, message: 'Incorrect API key provided' }) });
    stops.push(() => openai.close());
    const { result, lines } = await check(openai);
    expect(result.ok).toBe(false);
    expect(result.stages[0]).toMatchObject({ name: 'model answers', ok: false });
    expect(lines[1]).toMatch(/✗ model answers .*API key/);
    expect(result.stages).toHaveLength(1);
    expect(lines.at(-1)).toBe('The model did not answer: the session stages were not tried.');
  });
});
