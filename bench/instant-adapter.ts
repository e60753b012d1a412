/**
 * An in-process chat adapter with no delay and no memory of what it posted (only counts and the
 * time of the last post), so 1,000 sessions do not grow the heap through the adapter.
 */
import type { ChatAdapter, SendRequest } from '../src/adapter/chat-adapter.ts';

export class InstantAdapter implements ChatAdapter {
  readonly platform = 'terminal' as const;
  readonly messageLimit = 100_000;
  posts = 0;
  postsBySession = new Map<string, number>();
  lastPostAt = 0;

  render(text: string): string {
    return text;
  }

  async send(request: SendRequest): Promise<string> {
    this.posts += 1;
    this.postsBySession.set(request.sessionId, (this.postsBySession.get(request.sessionId) ?? 0) + 1);
    this.lastPostAt = performance.now();
    return `m${this.posts}`;
  }
}
