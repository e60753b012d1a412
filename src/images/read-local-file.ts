/**
 * Reads a local file a person named (`--image`, `/image` in the terminal), safely:
 * - only a regular file (or a link to one) is read: a FIFO would block the session for good, a
 *   device (`/dev/zero`) would grow the process without end, a directory is not an image;
 * - its size comes from `stat` before a single byte is read, and the read is capped anyway (a
 *   file that grows while it is read stops at the cap);
 * - it is opened non-blocking and checked again on the open descriptor, so a file swapped for a
 *   FIFO between the check and the open cannot hang the read.
 * Every refusal is a one-line answer that names the path.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { TableRoundError } from '../errors.ts';

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function notAFile(path: string, info: Stats): TableRoundError | undefined {
  const what = info.isDirectory()
    ? 'a folder'
    : info.isFIFO()
      ? 'a named pipe'
      : info.isCharacterDevice() || info.isBlockDevice()
        ? 'a device'
        : info.isSocket()
          ? 'a socket'
          : info.isFile()
            ? undefined
            : 'not a regular file';
  return what ? new TableRoundError('image_download_failed', `${path} is ${what}`, { publicMessage: `${path} is ${what}, not an image file.` }) : undefined;
}

/** Checks what `path` is without reading it (for an answer at once, before any step runs). */
export async function checkLocalFile(path: string, maxBytes: number): Promise<void> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new TableRoundError('image_download_failed', `cannot stat ${path}`, { cause: error, publicMessage: missing ? `${path}: no such file.` : `${path} could not be read.` });
  }
  const refusal = notAFile(path, info);
  if (refusal) throw refusal;
  if (info.size > maxBytes) throw new TableRoundError('image_too_large', `${path} is ${info.size} bytes`, { publicMessage: `${path} is ${megabytes(info.size)}; the limit is ${megabytes(maxBytes)}.` });
}

export async function readLocalFile(path: string, maxBytes: number): Promise<Buffer> {
  await checkLocalFile(path, maxBytes);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: unknown) => {
    throw new TableRoundError('image_download_failed', `cannot open ${path}`, { cause: error, publicMessage: `${path} could not be read.` });
  });
  try {
    const info = await handle.stat();
    const refusal = notAFile(path, info);
    if (refusal) throw refusal;
    // One byte more than allowed tells a file that grew past the cap from one that fits.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) throw new TableRoundError('image_too_large', `${path} grew past ${maxBytes} bytes`, { publicMessage: `${path} is larger than ${megabytes(maxBytes)}.` });
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
