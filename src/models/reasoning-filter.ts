/**
 * Removes reasoning text from model output as it streams: `<think>…</think>` (and `<thinking>`,
 * `<reasoning>`) blocks, even when a tag is split across chunks. Text inside an unclosed block is
 * never released. `reasoning_content` deltas are dropped by the caller and never reach here.
 */
const openTags = ['<think>', '<thinking>', '<reasoning>'];
const closeFor: Record<string, string> = { '<think>': '</think>', '<thinking>': '</thinking>', '<reasoning>': '</reasoning>' };
const longestTag = Math.max(...Object.values(closeFor).map((tag) => tag.length));

export class ReasoningFilter {
  private pending = '';
  private insideClose: string | undefined;
  private visible = '';

  /** Feeds a chunk; returns the visible text so far. */
  push(chunk: string): string {
    this.pending += chunk;
    this.drain(false);
    return this.visible;
  }

  /** Ends the stream; returns the final visible text (trimmed). */
  end(): string {
    this.drain(true);
    return this.visible.trim();
  }

  private drain(final: boolean): void {
    for (;;) {
      if (this.insideClose) {
        const close = this.pending.toLowerCase().indexOf(this.insideClose);
        if (close === -1) {
          // Keep only a tail that could be the start of the closing tag.
          if (!final) this.pending = this.pending.slice(-longestTag);
          else this.pending = '';
          return;
        }
        this.pending = this.pending.slice(close + this.insideClose.length);
        this.insideClose = undefined;
        if (!this.visible.trim()) this.pending = this.pending.replace(/^\s+/, '');
        continue;
      }
      const lower = this.pending.toLowerCase();
      let first = -1;
      let tag = '';
      for (const open of openTags) {
        const at = lower.indexOf(open);
        if (at !== -1 && (first === -1 || at < first)) {
          first = at;
          tag = open;
        }
      }
      if (first !== -1) {
        this.visible += this.pending.slice(0, first);
        this.pending = this.pending.slice(first + tag.length);
        this.insideClose = closeFor[tag];
        continue;
      }
      // Hold back a possible partial opening tag at the end of the buffer.
      const holdFrom = final ? this.pending.length : this.partialTagStart(lower);
      this.visible += this.pending.slice(0, holdFrom);
      this.pending = this.pending.slice(holdFrom);
      if (!this.visible.trim()) this.visible = '';
      return;
    }
  }

  private partialTagStart(lower: string): number {
    const lastOpen = lower.lastIndexOf('<');
    if (lastOpen === -1) return lower.length;
    const tail = lower.slice(lastOpen);
    return openTags.some((open) => open.startsWith(tail)) ? lastOpen : lower.length;
  }
}

export function stripReasoning(text: string): string {
  const filter = new ReasoningFilter();
  filter.push(text);
  return filter.end();
}
