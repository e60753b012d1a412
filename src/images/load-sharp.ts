/**
 * sharp (libvips) is loaded on first use, not at start: a worker that never sees an image, a
 * chart or an avatar never maps libvips and its codecs (~32 MB of RSS measured on this machine,
 * and ~70 ms of start-up). Once loaded it stays for the life of the process.
 */
import type SharpDefault from 'sharp';

export type SharpFactory = typeof SharpDefault;

let loading: Promise<SharpFactory> | undefined;

export function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then((module) => module.default);
  return loading;
}
