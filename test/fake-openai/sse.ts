/** Server-sent events as OpenAI writes them: `data: <json>\n\n`, ending with `data: [DONE]\n\n`. */
import type { ServerResponse } from 'node:http';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

/** Resolves once the event is handed to the kernel, so a following socket destroy cannot drop it. */
export function writeSseEvent(response: ServerResponse, data: unknown): Promise<void> {
  return writeRaw(response, `data: ${JSON.stringify(data)}\n\n`);
}

export async function writeSseDone(response: ServerResponse): Promise<void> {
  await writeRaw(response, 'data: [DONE]\n\n');
  response.end();
}

function writeRaw(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    // A write to a closed response reports an error to the callback; the caller stops on `closed`.
    response.write(text, () => resolve());
  });
}
