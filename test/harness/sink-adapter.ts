/**
 * A ChatAdapter whose "platform" is an HTTP endpoint in the test process: every post is sent
 * there as JSON, so posts from several worker processes (and from one that is killed) land in
 * one place where a test can count them.
 */
import { createServer, type Server } from 'node:http';
import type { ChatAdapter, SendRequest } from '../../src/adapter/chat-adapter.ts';

export interface SinkPost {
  sessionId: string;
  speaker: string;
  text: string;
  pid: number;
}

export class SinkAdapter implements ChatAdapter {
  readonly platform = 'terminal' as const;
  readonly messageLimit = 100_000;
  constructor(private readonly sinkUrl: string) {}

  render(text: string): string {
    return text;
  }

  async send(request: SendRequest): Promise<string> {
    const body: SinkPost = {
      sessionId: request.sessionId,
      speaker: request.speaker.kind === 'moderator' ? 'moderator' : request.speaker.persona.displayName,
      text: request.text,
      pid: process.pid,
    };
    const response = await fetch(this.sinkUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { id } = (await response.json()) as { id: string };
    return id;
  }
}

export async function startSink(): Promise<{ url: string; posts: SinkPost[]; close(): Promise<void> }> {
  const posts: SinkPost[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      posts.push(JSON.parse(raw) as SinkPost);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sink-${posts.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/posts`, posts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
