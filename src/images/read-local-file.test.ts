import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLocalFile } from './read-local-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'tableround-local-'));

describe('readLocalFile', () => {
  it('reads a regular file, and one behind a link', async () => {
    writeFileSync(join(dir, 'a.png'), Buffer.from([1, 2, 3]));
    symlinkSync(join(dir, 'a.png'), join(dir, 'link.png'));
    expect([...(await readLocalFile(join(dir, 'a.png'), 100))]).toEqual([1, 2, 3]);
    expect([...(await readLocalFile(join(dir, 'link.png'), 100))]).toEqual([1, 2, 3]);
  });

  it('refuses a FIFO at once, without hanging (and a link to it)', async () => {
    const fifo = join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(fifo, join(dir, 'pipe-link.png'));
    await expect(readLocalFile(fifo, 100)).rejects.toMatchObject({ publicMessage: `${fifo} is a named pipe, not an image file.` });
    await expect(readLocalFile(join(dir, 'pipe-link.png'), 100)).rejects.toMatchObject({ code: 'image_download_failed' });
  });

  it('refuses a device before reading a byte, and a folder', async () => {
    await expect(readLocalFile('/dev/zero', 20 * 1024 * 1024)).rejects.toMatchObject({ publicMessage: '/dev/zero is a device, not an image file.' });
    mkdirSync(join(dir, 'folder'));
    await expect(readLocalFile(join(dir, 'folder'), 100)).rejects.toMatchObject({ publicMessage: `${join(dir, 'folder')} is a folder, not an image file.` });
  });

  it('refuses a file over the cap from its size, and a missing one by name', async () => {
    writeFileSync(join(dir, 'big.png'), Buffer.alloc(2_000));
    await expect(readLocalFile(join(dir, 'big.png'), 1_000)).rejects.toMatchObject({ code: 'image_too_large' });
    await expect(readLocalFile(join(dir, 'missing.png'), 1_000)).rejects.toMatchObject({ publicMessage: `${join(dir, 'missing.png')}: no such file.` });
  });
});
