/**
 * The adapter contract's terminal rig: the real app with the real terminal adapter printing into
 * a buffer, as `npm run console` prints to stdout. A terminal is one thread: every session's
 * posts go to the same output, and a person starts a session the way the console does
 * (console-session.ts: `roundtable.start` with the terminal address). The terminal never reads
 * its own output, so "never answers itself" has nothing to exercise here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminalAdapter } from '../../adapters/terminal/terminal-adapter.ts';
import { startFakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { e2eChat } from '../discord-e2e/e2e-harness.ts';
import { cleanupRedis, startTestApp } from '../harness/test-app.ts';
import type { ContractRig, RigFactory, ThreadMessage } from './contract-rig.ts';

export const terminalRig: RigFactory = {
  platform: 'terminal',
  echoesOwnPosts: false,
  pings: '@everyone @here <@123> <!channel>',
  async create(): Promise<ContractRig> {
    let printed = '';
    const directory = mkdtempSync(join(tmpdir(), 'tableround-contract-terminal-'));
    const terminal = new TerminalAdapter({ write: (text: string) => (printed += text) }, join(directory, 'files'), join(directory, 'transcripts'), false);
    const openai = await startFakeOpenAI({ chat: e2eChat });
    const app = await startTestApp({ modelUrl: openai.url, adapters: [terminal], env: { AUTO_ROUNDS: 0, PANELS_DIR: join(import.meta.dirname, '../discord-e2e/panels'), DEFAULT_PANEL: 'mini' } });
    let starts = 0;
    return {
      app,
      adapter: terminal,
      async startSession(topic) {
        const address = { platform: 'terminal' as const, channel: 'console', thread: `contract-${process.pid}-${starts++}` };
        const { sessionId } = await app.roundtable.start({ address, person: { id: 'local-contract', displayName: 'contract', isManager: true }, topic, images: [] });
        return sessionId;
      },
      /** The terminal's one thread: every printed `[name] text` line (a line per post or edit). */
      thread(): ThreadMessage[] {
        return printed
          .split(/\n(?=\[)/)
          .filter((line) => line.startsWith('['))
          .map((line) => {
            const match = /^\[([^\]]+)\] ([\s\S]*)$/.exec(line.trimEnd());
            const text = match?.[2] ?? line;
            // Every printed line is ours (the person's typing is not printed back); a terminal notifies nobody.
            return { fromUs: true, text, history: [text], pinged: false };
          });
      },
      ownPostsEchoed: () => 0,
      rateLimitHits: () => 0,
      async stop() {
        await app.stop();
        await openai.close();
        await cleanupRedis(app.prefix);
      },
    };
  },
};
