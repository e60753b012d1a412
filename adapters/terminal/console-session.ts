/**
 * Runs one roundtable with the terminal as its thread: starts the session, feeds stdin lines as
 * a person's messages and commands, ends the session when stdin ends, prints the last line
 * `transcript: <path>`.
 *
 * Pacing of input: at a TTY each line goes in as typed (events are ordered by the session's
 * inbox). From a pipe, each line waits until the panel is idle — as if a person read the posts
 * before typing — so a scripted session runs every stage in order; only the commands that steer
 * what runs now (`actsImmediately` in their file: `/stop`, `/pause`, `/ask` …) go in as read.
 */
import type { ReplyChoice } from '../../src/command-core/command-contract.ts';
import { createInterface } from 'node:readline';
import { basename, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { RunningApp } from '../../src/app/start-app.ts';
import type { Person } from '../../src/adapter/inbound-event.ts';
import { parseSessionId } from '../../src/session/session-id.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { asTableRoundError } from '../../src/errors.ts';
import type { ConsoleArgs } from './parse-console-args.ts';
import { consoleHelp, parseConsoleLine } from './parse-console-line.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { botName, type TerminalAdapter } from './terminal-adapter.ts';
import { checkLocalFile } from '../../src/images/read-local-file.ts';

export interface ConsoleIo {
  input: NodeJS.ReadableStream;
  interactive: boolean;
}

const pollMs = 100;

export async function runConsoleSession(app: RunningApp, terminal: TerminalAdapter, args: ConsoleArgs, io: ConsoleIo): Promise<{ sessionId: string; transcriptPath: string | undefined }> {
  const person: Person = { id: `local-${safeUser()}`, displayName: safeUser(), isManager: true, managesCommunity: true };
  const lines = createInterface({ input: io.input, terminal: false, crlfDelay: Infinity });
  const queue: string[] = [];
  let inputEnded = false;
  let wake: (() => void) | undefined;
  lines.on('line', (line) => {
    queue.push(line);
    wake?.();
  });
  lines.on('close', () => {
    inputEnded = true;
    wake?.();
  });
  const nextLine = async (): Promise<string | undefined> => {
    while (queue.length === 0 && !inputEnded) await new Promise<void>((resolveWake) => (wake = resolveWake));
    wake = undefined;
    return queue.shift();
  };

  let sessionId: string;
  let address = { platform: 'terminal' as const, channel: 'console', thread: `${Date.now().toString(36)}-${process.pid}` };
  const resumable = args.resume ? await app.roundtable.recentSessionFor('terminal', 'console', person.id) : undefined;
  if (args.resume && !resumable) throw new Error('no unfinished terminal roundtable to resume: start one with --topic "<text>"');
  if (resumable) {
    // The session's memory and its queued step are in Redis: kicking the current step is enough.
    sessionId = resumable;
    address = { ...address, thread: parseSessionId(sessionId).thread };
    await app.roundtable.resume(sessionId);
    const status = await app.roundtable.status(sessionId);
    terminal.printLine(botName, `Resuming “${status?.topic ?? sessionId}” — stage ${status?.stage}, round ${status?.round}.`);
  } else {
    let topic = args.topic;
    if (!topic) {
      if (io.interactive) terminal.printLine(botName, 'What should the roundtable discuss? Type the topic:');
      topic = (await nextLine())?.trim();
      if (!topic) throw new Error('no topic given: use --topic "<text>" or type it as the first line');
    }
    const images = args.images.map((path) => ({ kind: 'path' as const, location: resolve(path), filename: basename(path) }));
    for (const image of images) {
      try {
        await checkLocalFile(image.location, app.config.IMAGE_MAX_BYTES);
      } catch (error) {
        throw new Error(describeForPerson(asTableRoundError(error)));
      }
    }
    ({ sessionId } = await app.roundtable.start({ address, person, topic, ...(args.panel ? { panel: args.panel } : {}), ...(args.rounds === undefined ? {} : { rounds: args.rounds }), ...(args.language ? { language: args.language } : {}), ...(args.preset ? { preset: args.preset } : {}), images }));
  }
  if (io.interactive) terminal.printLine(botName, consoleHelp(commandRegistry(app.commands), (await app.roundtable.status(sessionId))?.language));

  const waitIdle = async () => {
    while (await app.roundtable.isBusy(sessionId)) await new Promise((resolveWait) => setTimeout(resolveWait, pollMs));
  };
  const ended = async () => (await app.store.load(sessionId))?.status === 'ended';

  const registry = commandRegistry(app.commands);
  const actsAtOnce = (line: string) => {
    const parsed = parseConsoleLine(registry, line);
    return parsed.kind === 'command' && registry.get(parsed.name)?.actsImmediately === true;
  };
  for (;;) {
    if (io.interactive && (await ended())) break;
    const line = await nextLine();
    // The end of a piped script waits for the panel too: the session ends once it is idle.
    if (!io.interactive && (line === undefined || !actsAtOnce(line))) await waitIdle();
    if (await ended()) break;
    if (line === undefined) break;
    await handleLine(app, terminal, sessionId, address, person, line);
  }
  if (!(await ended())) await handleLine(app, terminal, sessionId, address, person, '/end');
  while (!(await ended()) || (await app.roundtable.isBusy(sessionId))) await new Promise((resolveWait) => setTimeout(resolveWait, pollMs));
  lines.close();
  return { sessionId, transcriptPath: terminal.transcriptPath };
}

/** A reply's choices (a draft's Save / Regenerate / Cancel): the next typed line answers them, by their `typed` word. */
const pendingChoices: { choices: ReplyChoice[] } = { choices: [] };

async function handleLine(app: RunningApp, terminal: TerminalAdapter, sessionId: string, address: { platform: 'terminal'; channel: string; thread: string }, person: Person, line: string): Promise<void> {
  const registry = commandRegistry(app.commands);
  const offered = pendingChoices.choices;
  pendingChoices.choices = [];
  const chosen = offered.find((choice) => choice.typed === line.trim().toLowerCase());
  const parsed: ReturnType<typeof parseConsoleLine> = chosen ? { kind: 'command', name: chosen.command, options: chosen.options } : parseConsoleLine(registry, line);
  try {
    switch (parsed.kind) {
      case 'empty':
        return;
      case 'help':
        terminal.printLine(botName, consoleHelp(registry, (await app.roundtable.status(sessionId))?.language));
        return;
      case 'unknown':
        terminal.printLine(botName, `There is no command /${parsed.word.slice(0, 32)}. Type /help for the list.`);
        return;
      case 'message': {
        const result = await app.roundtable.submit(sessionId, person, { type: 'message', text: parsed.text, images: [] });
        if (result.notice) terminal.printLine(botName, result.notice);
        return;
      }
      case 'image': {
        const path = resolve(parsed.path);
        // Answered at once: a pipe, a device or a folder is named and refused before any step runs.
        await checkLocalFile(path, app.config.IMAGE_MAX_BYTES);
        await app.roundtable.submit(sessionId, person, { type: 'message', text: '', images: [{ kind: 'path', location: path, filename: basename(path) }] });
        return;
      }
      case 'command': {
        const reply = await app.runCommand({ name: parsed.name, options: parsed.options, person, address, sessionId });
        // Acknowledgements of queued work add nothing in a terminal; answers (status, refusals) do.
        if (!/…$/.test(reply.text)) terminal.printLine(botName, reply.text);
        if (reply.choices?.length) {
          pendingChoices.choices = reply.choices;
          terminal.printLine(botName, `Type ${reply.choices.map((choice) => choice.typed).join(', ')} (${reply.choices.map((choice) => `${choice.typed}: ${choice.label}`).join(' · ')}).`);
        }
        return;
      }
    }
  } catch (error) {
    // In the session's language where it can still be read (not when Redis is what failed).
    const language = (await app.roundtable.status(sessionId).catch(() => undefined))?.language;
    terminal.printLine(botName, describeForPerson(asTableRoundError(error), language));
  }
}

function safeUser(): string {
  try {
    return userInfo().username || 'you';
  } catch {
    return 'you';
  }
}
