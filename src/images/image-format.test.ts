import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from './image-format.ts';

function isoMedia(major: string, ...compatible: string[]): Buffer {
  const brands = [major, '\0\0\0\0', ...compatible].join('');
  const box = Buffer.alloc(8 + brands.length);
  box.writeUInt32BE(box.length, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(brands, 8, 'latin1');
  return Buffer.concat([box, Buffer.alloc(16)]);
}

describe('sniffImageFormat', () => {
  it('tells AVIF from HEIC by the ftyp brands', () => {
    expect(sniffImageFormat(isoMedia('avif', 'mif1', 'miaf'))).toEqual({ kind: 'image', format: 'avif' });
    expect(sniffImageFormat(isoMedia('mif1', 'avif', 'miaf'))).toEqual({ kind: 'image', format: 'avif' });
    expect(sniffImageFormat(isoMedia('heic', 'mif1', 'heic'))).toEqual({ kind: 'image', format: 'heic' });
    expect(sniffImageFormat(isoMedia('mif1', 'heic'))).toEqual({ kind: 'image', format: 'heic' });
    expect(sniffImageFormat(isoMedia('isom', 'mp41'))).toEqual({ kind: 'unsupported', name: 'a video or other media file' });
  });

  it('spots SVG even behind an XML declaration and comments, and HTML', () => {
    expect(sniffImageFormat(Buffer.from('\uFEFF<?xml version="1.0"?><!-- hi --><svg/>'))).toEqual({ kind: 'unsupported', name: 'an SVG drawing' });
    expect(sniffImageFormat(Buffer.from('  <html><body><svg></svg></body></html>'))).toEqual({ kind: 'not_image', looksLike: 'html' });
    expect(sniffImageFormat(Buffer.from('{"error":"not_authed"}'))).toEqual({ kind: 'not_image', looksLike: 'text' });
  });

  it('needs more than "BM" to call a file a BMP', () => {
    expect(sniffImageFormat(Buffer.from('BM is a fine pair of letters to start a sentence'))).toEqual({ kind: 'not_image', looksLike: 'text' });
  });
});
