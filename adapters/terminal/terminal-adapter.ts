/**
 * The terminal as a thread: every post is printed as `[<display name>] <text>`, the name in
 * square brackets at the start of a line. Files are written to disk and their paths printed;
 * the transcript's path is remembered for the final `transcript: <path>` line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChatAdapter, OutboundFile, PollView, PostRequest, PostResult, Speaker, StreamHandle } from '../../src/adapter/chat-adapter.ts';

export const botName = 'TableRound';

export interface TerminalOutput {
  write(text: string): unknown;
}

export class TerminalAdapter implements ChatAdapter {
  readonly platform = 'terminal' as const;
  private counter = 0;
  transcriptPath: string | undefined;
  private readonly pollLines = new Map<string, string>();

  constructor(
    private readonly output: TerminalOutput,
    private readonly filesDir: string,
    private readonly transcriptDir: string,
    /** Print tokens as they arrive (a person at a TTY); otherwise each post prints whole. */
    private readonly live: boolean,
  ) {}

  private nameOf(speaker: Speaker): string {
    return speaker.kind === 'moderator' ? botName : speaker.persona.displayName;
  }

  printLine(name: string, text: string): void {
    this.output.write(`[${name}] ${text.trim()}\n`);
  }

  async post(request: PostRequest): Promise<PostResult> {
    const ids: string[] = [];
    if (request.text.trim()) {
      this.printLine(this.nameOf(request.speaker), request.text);
      ids.push(`t${++this.counter}`);
    }
    for (const file of request.files ?? []) {
      const path = this.saveFile(request.sessionId, file);
      this.printLine(this.nameOf(request.speaker), `📎 ${file.description ?? file.filename}: ${path}`);
      ids.push(`t${++this.counter}`);
    }
    return { messageIds: ids };
  }

  private saveFile(sessionId: string, file: OutboundFile): string {
    const isTranscript = file.contentType === 'text/markdown';
    const folder = isTranscript ? this.transcriptDir : join(this.filesDir, sessionId.replace(/[^A-Za-z0-9._-]+/g, '_'));
    mkdirSync(folder, { recursive: true });
    const path = resolve(folder, file.filename.replace(/[^\p{L}\p{N}._-]+/gu, '_'));
    writeFileSync(path, file.bytes);
    if (isTranscript) this.transcriptPath = path;
    return path;
  }

  async startStream(request: Omit<PostRequest, 'text' | 'files'>): Promise<StreamHandle> {
    const name = this.nameOf(request.speaker);
    let printed = '';
    let started = false;
    const write = (textSoFar: string) => {
      if (!this.live) return;
      if (!started) {
        this.output.write(`[${name}] `);
        started = true;
      }
      if (!textSoFar.startsWith(printed)) {
        // The model call was retried and restarted its text.
        this.output.write(`\n[${name}] `);
        printed = '';
      }
      this.output.write(textSoFar.slice(printed.length));
      printed = textSoFar;
    };
    return {
      update: (textSoFar) => write(textSoFar),
      finish: async (finalText) => {
        if (!this.live || !started) this.printLine(name, finalText);
        // Live: finish the line; the streamed text already shows what was said.
        else this.output.write(`${finalText.startsWith(printed) ? finalText.slice(printed.length) : ''}\n`);
        return { messageIds: [`t${++this.counter}`] };
      },
      abort: async (reason) => {
        if (this.live && started) this.output.write(`\n[${name}] (interrupted: ${reason.slice(0, 120)})\n`);
      },
    };
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
