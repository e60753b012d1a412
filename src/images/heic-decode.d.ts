// Types for the untyped CommonJS package `heic-decode` (2.x), limited to what heic-image.ts uses.
declare module 'heic-decode' {
  interface DecodedHeicImage {
    width: number;
    height: number;
    /** RGBA, 4 bytes per pixel. */
    data: Uint8ClampedArray;
  }
  interface HeicImageHandle {
    width: number;
    height: number;
    decode(): Promise<DecodedHeicImage>;
  }
  interface HeicDecode {
    (input: { buffer: Uint8Array }): Promise<DecodedHeicImage>;
    /** Parses the container only; `decode()` each image, then `dispose()` the list. */
    all(input: { buffer: Uint8Array }): Promise<HeicImageHandle[] & { dispose(): void }>;
  }
  const decode: HeicDecode;
  export = decode;
}
