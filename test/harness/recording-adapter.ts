/**
 * An in-process ChatAdapter for engine tests: records every message (speaker, text, files) and
 * poll view, optionally with a delay per message. It stands where a platform adapter would; the
 * platform adapters themselves are tested against their emulators.
 */
import type { ChatAdapter, PollView, SendRequest } from '../../src/adapter/chat-adapter.ts';

export interface RecordedPost {
  sessionId: string;
  speaker: string;
  text: string;
  files: { filename: string; contentType: string; bytes: Buffer }[];
  at: number;
}

export class RecordingAdapter implements ChatAdapter {
  readonly platform = 'terminal' as const;
  readonly messageLimit: number;
  readonly posts: RecordedPost[] = [];
  readonly polls: PollView[] = [];
  private id = 0;

  constructor(
    private readonly postDelayMs = 0,
    messageLimit = 100_000,
  ) {
    this.messageLimit = messageLimit;
  }

  render(text: string): string {
    return text;
  }

  async send(request: SendRequest): Promise<string> {
    if (this.postDelayMs) await new Promise((resolve) => setTimeout(resolve, this.postDelayMs));
    this.posts.push({
      sessionId: request.sessionId,
      speaker: request.speaker.kind === 'moderator' ? 'moderator' : request.speaker.persona.displayName,
      text: request.text,
      files: (request.files ?? []).map((file) => ({ filename: file.filename, contentType: file.contentType, bytes: file.bytes })),
      at: Date.now(),
    });
    return `m${++this.id}`;
  }

  async showPoll(poll: PollView, existingMessageId: string | undefined): Promise<string> {
    this.polls.push(poll);
    return existingMessageId ?? `poll${++this.id}`;
  }

  postsOf(sessionId: string): RecordedPost[] {
    return this.posts.filter((post) => post.sessionId === sessionId);
  }
}
