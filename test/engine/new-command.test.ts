/**
 * Adding a command is one file plus its step (test/fixtures/commands/recap.ts): with nothing
 * else changed, it is parsed on every surface, registered as a Discord slash command, listed in
 * every help text and in the moderator's hints, and it runs in a session.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';
import { recapCommand, recapStep } from '../fixtures/commands/recap.ts';
import { commandRegistry, type CommandDefinition } from '../../src/command-core/command-contract.ts';
import { loadCommands } from '../../commands/load-commands.ts';
import { parseConsoleLine, consoleHelp } from '../../adapters/terminal/parse-console-line.ts';
import { helpText, parseCommandText } from '../../adapters/slack/command-text.ts';
import { buildCommandRegistrations } from '../../adapters/discord/command-registration.ts';

let fake: FakeOpenAI | undefined;
let app: (RunningApp & { prefix: string }) | undefined;
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (app) await cleanupRedis(app.prefix);
});

describe('a new command', () => {
  it('is parsed, registered and helped on every surface from its one file', async () => {
    const commands = [...(await loadCommands()), recapCommand as unknown as CommandDefinition];
    const registry = commandRegistry(commands);
    expect(parseConsoleLine(registry, '/recap long')).toEqual({ kind: 'command', name: 'recap', options: { detail: 'long' } });
    expect(parseCommandText(registry, 'recap')).toEqual({ kind: 'command', name: 'recap', options: {} });
    expect(buildCommandRegistrations(commands).find((registration) => registration.name === 'recap')?.options).toEqual([
      expect.objectContaining({ name: 'detail', choices: [{ name: 'short', value: 'short' }, { name: 'long', value: 'long' }] }),
    ]);
    expect(consoleHelp(registry)).toContain('`/recap long` — the same, at length');
    expect(helpText(registry, '/roundtable')).toContain('`@TableRound recap long`');
  });

  it('runs in a session, and the moderator lists it', async () => {
    fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo' }, extraCommands: [recapCommand as unknown as CommandDefinition], extraSteps: [recapStep] });
    const person = { id: 'u', displayName: 'Ana' };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'recap' }, person, topic: 'A lamp' });
    await waitFor(async () => !(await app!.roundtable.isBusy(sessionId)), 'introductions');
    expect(adapter.postsOf(sessionId)[0]?.text).toContain('`/recap`');
    const reply = await app.runCommand({ name: 'recap', options: {}, person, address: { platform: 'terminal', channel: 'c', thread: 'recap' }, sessionId });
    expect(reply.text).toBe('A recap is coming.');
    await waitFor(async () => !(await app!.roundtable.isBusy(sessionId)), 'the recap');
    expect(adapter.postsOf(sessionId).at(-1)?.text).toMatch(/^Recap for Ana: \d+ things said so far\.$/);
  });
});
