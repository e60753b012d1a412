/**
 * The thread audit of the crash and fault tests (test/resilience/slack-session-audit.ts) on a
 * whole scripted session: it passes on the thread as the bot left it, and it fails on each
 * thread a lost exactly-once rule would leave — a second live poll (its text differs from the
 * updated first one), an extra or a missing moderator post, a persona chunk twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from './slack-e2e-harness.ts';
import { auditThread, runScriptedSession, uniqueSpeech, type ScriptedSession } from '../resilience/slack-session-audit.ts';
import type { EmulatedMessage } from '../slack-emulator/workspace.ts';
import type { TranscriptEntry } from '../../src/session/session-types.ts';

let harness: E2EHarness | undefined;
let session: ScriptedSession;
let transcript: TranscriptEntry[];

beforeAll(async () => {
  harness = await startE2E({ speech: uniqueSpeech, chunk: { size: 6, delayMs: 5 }, env: { AUTO_ROUNDS: 1 } });
  const { emulator, app } = harness;
  session = await runScriptedSession(emulator, app.roundtable, harness.sessionIdFor, emulator.addUser('auditor'), 0, 40_000);
  transcript = await app.store.transcript(session.sessionId);
}, 60_000);
afterAll(async () => {
  await harness?.stop();
});

/** Runs the audit on the thread as changed by `change`, then puts the thread back. */
function auditWith(change: (messages: EmulatedMessage[], thread: EmulatedMessage[]) => void): () => void {
  return () => {
    const { messages } = harness!.emulator.workspace;
    const saved = messages.map((message) => ({ ...message }));
    try {
      change(messages, harness!.emulator.thread(session.channel, session.threadTs));
      auditThread(harness!.emulator, session, transcript);
    } finally {
      messages.splice(0, messages.length, ...saved);
    }
  };
}

const botMessages = (thread: EmulatedMessage[]) => thread.filter((message) => message.botId !== undefined);
const isPoll = (message: EmulatedMessage) => JSON.stringify(message.blocks ?? []).includes('poll_header');
const isModerator = (message: EmulatedMessage) => message.botId !== undefined && message.username === undefined && message.text.trim() !== '' && !isPoll(message);

describe('the thread audit of the fault tests', () => {
  it('passes on the thread the bot left: one poll, the moderator and the panel as in the transcript', () => {
    const result = auditThread(harness!.emulator, session, transcript);
    expect(result.pollMessages).toBe(1);
    expect(result.moderatorMessages).toBeGreaterThanOrEqual(transcript.filter((entry) => entry.kind === 'moderator').length);
    expect(result.personaMessages).toBeGreaterThan(4);
  });

  it('fails on a second live poll, though its text is not the first one’s', () => {
    const second = auditWith((messages, thread) => {
      const poll = botMessages(thread).find(isPoll)!;
      messages.push({ ...poll, ts: harness!.emulator.workspace.nextTs(), text: 'Vote:\n1. warm light — 0', edits: 0 });
    });
    expect(second).toThrow(/poll messages/);
  });

  it('fails on a moderator post the transcript does not have, and on one it has that is missing', () => {
    const extra = auditWith((messages, thread) => {
      const post = botMessages(thread).find(isModerator)!;
      messages.push({ ...post, ts: harness!.emulator.workspace.nextTs(), text: `${post.text} (again, differently)` });
    });
    expect(extra).toThrow(/moderator messages against the transcript/);
    const missing = auditWith((messages, thread) => {
      const post = botMessages(thread).filter(isModerator)[1]!;
      messages.splice(messages.indexOf(post), 1);
    });
    expect(missing).toThrow(/moderator messages against the transcript/);
    const twice = auditWith((messages, thread) => {
      const post = botMessages(thread).filter(isModerator)[1]!;
      messages.push({ ...post, ts: harness!.emulator.workspace.nextTs() });
    });
    expect(twice).toThrow(/moderator messages against the transcript/);
  });

  it('fails on a persona chunk shown twice', () => {
    const twice = auditWith((messages, thread) => {
      const post = botMessages(thread).find((message) => message.username !== undefined)!;
      messages.push({ ...post, ts: harness!.emulator.workspace.nextTs() });
    });
    expect(twice).toThrow(/persona messages against the transcript/);
  });
});
