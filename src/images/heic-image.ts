/**
 * HEIC/HEIF decoding through `heic-decode` (libheif compiled to WebAssembly): sharp's prebuilt
 * libvips has no HEVC decoder. The WASM bundle (~8 MB) is loaded on first use only.
 * Hazard: libheif prints parse failures to stderr itself; we still turn them into coded errors.
 */
import type { RawImage } from './bmp-decode.ts';

export interface HeicHandle {
  width: number;
  height: number;
  /** Decodes the primary image to RGBA and frees the decoder; call at most once. */
  decode(): Promise<RawImage>;
  /** Frees the decoder without decoding (e.g. after refusing the size). */
  dispose(): void;
}

/** Parses the HEIF container (no pixel decoding) and returns the primary image's size. Throws on a damaged file. */
export async function openHeic(bytes: Buffer): Promise<HeicHandle> {
  const { default: heicDecode } = await import('heic-decode');
  const images = await heicDecode.all({ buffer: bytes });
  const primary = images[0];
  if (!primary) {
    images.dispose();
    throw new Error('HEIF file holds no image');
  }
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    images.dispose();
  };
  return {
    width: primary.width,
    height: primary.height,
    dispose,
    async decode() {
      try {
        const decoded = await primary.decode();
        const data = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
        return { width: decoded.width, height: decoded.height, channels: 4, data };
      } finally {
        dispose();
      }
    },
  };
}
