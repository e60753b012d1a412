/**
 * The terminal as a thread: every post is printed as `[<display name>] <text>`, the name in
 * square brackets at the start of a line. Files are written to disk and their paths printed;
 * the transcript's path is remembered for the final `transcript: <path>` line. A persona about to
 * write is announced on a line of its own, `… <name> is writing` (in the session's language),
 * which never starts with a bracket.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChatAdapter, EditRequest, NativeStreaming, OutboundFile, PollView, SendRequest, Speaker, StreamingSupport } from '../../src/adapter/chat-adapter.ts';
import { t } from '../../src/i18n/translate.ts';

export const botName = 'TableRound';

export interface TerminalOutput {
  write(text: string): unknown;
}

/**
 * Streaming in a terminal is printing: a reply's line starts with its first words and grows as
 * tokens arrive (a person at a TTY). What cannot be shown as a continuation (a rewritten reply)
 * is printed again, whole, on a line of its own — a terminal cannot edit what it printed.
 */
class PrintedStreams implements NativeStreaming {
  private readonly printed = new Map<string, string>();
  private counter = 0;

  constructor(private readonly terminal: TerminalAdapter) {}

  async start(request: { sessionId: string; speaker: Speaker; text: string }): Promise<string> {
    const ref = `stream-${++this.counter}`;
    this.terminal.write(`[${this.terminal.nameOf(request.speaker)}] ${request.text}`);
    this.printed.set(ref, request.text);
    return ref;
  }

  async append(_sessionId: string, ref: string, textSoFar: string): Promise<boolean> {
    const printed = this.printed.get(ref);
    if (printed === undefined || !textSoFar.startsWith(printed)) return false;
    this.terminal.write(textSoFar.slice(printed.length));
    this.printed.set(ref, textSoFar);
    return true;
  }

  async stop(_sessionId: string, ref: string, finalText?: string): Promise<'stopped' | 'needs-edit'> {
    const printed = this.printed.get(ref);
    this.printed.delete(ref);
    if (printed === undefined) return finalText === undefined ? 'stopped' : 'needs-edit';
    if (finalText !== undefined && finalText.startsWith(printed)) {
      this.terminal.write(`${finalText.slice(printed.length)}\n`);
      return 'stopped';
    }
    this.terminal.write('\n');
    return finalText === undefined ? 'stopped' : 'needs-edit';
  }
}

export class TerminalAdapter implements ChatAdapter {
  readonly platform = 'terminal' as const;
  readonly messageLimit = 100_000;
  readonly commandStyle = { kind: 'slash' } as const;
  readonly streaming: StreamingSupport | undefined;
  private counter = 0;
  transcriptPath: string | undefined;
  private readonly pollLines = new Map<string, string>();

  constructor(
    private readonly output: TerminalOutput,
    private readonly filesDir: string,
    private readonly transcriptDir: string,
    /** Print tokens as they arrive (a person at a TTY); otherwise each post prints whole. */
    live: boolean,
    /**
     * Where "… Bayar is writing" goes (default: `output`). The console sends it to stderr when
     * stdout is a pipe, so a script reading `[Name] text` posts (a post may span lines) never
     * takes the status line for part of the previous post.
     */
    private readonly statusOutput: TerminalOutput = output,
  ) {
    this.streaming = live ? { editIntervalMs: 0, firstPostDelayMs: 0, native: new PrintedStreams(this) } : undefined;
  }

  nameOf(speaker: Speaker): string {
    return speaker.kind === 'moderator' ? botName : speaker.persona.displayName;
  }

  write(text: string): void {
    this.output.write(text);
  }

  printLine(name: string, text: string): void {
    this.output.write(`[${name}] ${text.trim()}\n`);
  }

  render(text: string): string {
    return text;
  }

  async typing(_sessionId: string, speaker: Speaker, language?: string): Promise<void> {
    this.statusOutput.write(`${t(language, 'typing.writing', { name: this.nameOf(speaker) })}\n`);
  }

  async send(request: SendRequest): Promise<string> {
    if (request.text.trim()) this.printLine(this.nameOf(request.speaker), request.text);
    for (const file of request.files ?? []) {
      const path = this.saveFile(request.sessionId, file);
      this.printLine(this.nameOf(request.speaker), `📎 ${file.description ?? file.filename}: ${path}`);
    }
    return `t${++this.counter}`;
  }

  /** A terminal cannot change what it printed: a final edit prints the text again, whole. */
  async edit(request: EditRequest): Promise<boolean> {
    if (request.budget === 'skip') return false;
    this.printLine(this.nameOf(request.speaker), request.text);
    return true;
  }

  private saveFile(sessionId: string, file: OutboundFile): string {
    // The transcript's three forms (Markdown, the JSON record, the HTML page) go side by side.
    const isTranscript = ['text/markdown', 'application/json', 'text/html'].includes(file.contentType);
    const folder = isTranscript ? this.transcriptDir : join(this.filesDir, sessionId.replace(/[^A-Za-z0-9._-]+/g, '_'));
    mkdirSync(folder, { recursive: true });
    const path = resolve(folder, file.filename.replace(/[^\p{L}\p{N}._-]+/gu, '_'));
    writeFileSync(path, file.bytes);
    if (file.contentType === 'text/markdown') this.transcriptPath = path;
    return path;
  }

  async showPoll(poll: PollView, existingMessageId: string | undefined): Promise<string> {
    const messageId = existingMessageId ?? `poll-${poll.pollId}`;
    const lines = poll.candidates.map((candidate) => {
      const votes = candidate.personaVotes + candidate.peopleVotes;
      return `  ${candidate.index + 1}. ${candidate.label}${votes ? ` — ${votes} (panel ${candidate.personaVotes}, people ${candidate.peopleVotes})` : ''}`;
    });
    const heading =
      poll.status === 'open'
        ? `Vote ${poll.pollId} — /ballot <n> [<n>…] (up to ${poll.maxChoices}), /vote close to close:`
        : `Vote ${poll.pollId} closed:`;
    const rendered = `${heading}\n${lines.join('\n')}`;
    // Print the list when it opens, when it closes, and only a one-line count in between.
    const previous = this.pollLines.get(messageId);
    if (!previous || poll.status === 'closed') this.printLine(botName, rendered);
    else if (previous !== rendered) this.printLine(botName, `Votes so far: ${poll.personaVoters} panelists, ${poll.peopleVoters} people.`);
    this.pollLines.set(messageId, rendered);
    return messageId;
  }
}
