/**
 * Image pipeline bench: our intake + vision preparation against a bare sharp resize of the same
 * 12-megapixel photo-like JPEG, plus the time to refuse decompression bombs.
 * Run directly: `tsx bench/image-bench.ts` prints the figures and writes bench/results/image-bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { TableRoundError } from '../src/errors.ts';
import { intakeImage } from '../src/images/image-intake.ts';
import { createImageServices } from '../src/app/image-services.ts';
import { configFrom } from '../src/config/load-config.ts';
import { estimateVisionTokens, prepareForVision } from '../src/images/prepare-for-vision.ts';
import { bombPng, photoLikeJpeg } from '../src/images/test-images.ts';
import { resultsDir } from './bench-stats.ts';

export interface ImageBenchOptions {
  /** Timed iterations per measurement (after 2 warm-up runs). */
  iterations?: number;
}

const PHOTO_WIDTH = 4000;
const PHOTO_HEIGHT = 3000;
const WARM_UP_RUNS = 2;

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return Number((sorted[index] ?? Number.NaN).toFixed(1));
}

function summary(samples: number[]): { p50Ms: number; p95Ms: number; minMs: number; maxMs: number } {
  return { p50Ms: percentile(samples, 0.5), p95Ms: percentile(samples, 0.95), minMs: percentile(samples, 0), maxMs: percentile(samples, 1) };
}

/** Runs `run` once more, adding its time to `timed.samples` and keeping its result. */
async function sampleOnce<T>(timed: { samples: number[]; last: T }, run: () => Promise<T>): Promise<void> {
  const started = performance.now();
  timed.last = await run();
  timed.samples.push(performance.now() - started);
}

async function time<T>(iterations: number, run: () => Promise<T>): Promise<{ samples: number[]; last: T }> {
  let last = await run();
  for (let warmUp = 1; warmUp < WARM_UP_RUNS; warmUp += 1) last = await run();
  const timed = { samples: [] as number[], last };
  for (let iteration = 0; iteration < iterations; iteration += 1) await sampleOnce(timed, run);
  return timed;
}

/**
 * Times two runs alternately, iteration by iteration (after their warm-ups), so that a drift in the
 * machine's speed during the bench moves both sides of their ratio alike.
 */
async function timeAlternately<A, B>(iterations: number, first: () => Promise<A>, second: () => Promise<B>): Promise<[{ samples: number[]; last: A }, { samples: number[]; last: B }]> {
  const a = await time(0, first);
  const b = await time(0, second);
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    await sampleOnce(a, first);
    await sampleOnce(b, second);
  }
  return [a, b];
}

async function expectRefusal(bytes: Buffer): Promise<string> {
  try {
    await intakeImage(bytes);
  } catch (error) {
    if (error instanceof TableRoundError) return error.code;
    throw error;
  }
  throw new Error('bomb was accepted');
}

export async function runImageBench(options: ImageBenchOptions = {}): Promise<Record<string, unknown>> {
  const iterations = options.iterations ?? 30;
  const photo = await photoLikeJpeg(PHOTO_WIDTH, PHOTO_HEIGHT, 90);

  const intakeOnly = await time(iterations, () => intakeImage(photo));
  const cleanImage = intakeOnly.last.bytes;
  const prepareOnly = await time(iterations, () => prepareForVision(cleanImage));
  // Ours = exactly what a session runs (src/app/image-services.ts, default config): intake with the
  // decode capped at 2 × VISION_BOX, then the vision preparation.
  const services = createImageServices(configFrom({}));
  // Ours and the bare resize alternately: the ratio's two sides.
  const [pipeline, bare] = await timeAlternately(
    iterations,
    () => services.prepareForVision(photo, 'photo.jpg', photo.length),
    () => sharp(photo).resize(1024, 1024, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true }),
  );
  const pipelineFullSize = await time(iterations, async () => prepareForVision((await intakeImage(photo)).bytes));

  const realBomb = bombPng(20_000, 20_000);
  const headerBomb = bombPng(100_000, 100_000, { headerOnly: true });
  const realBombRefusal = await time(iterations, () => expectRefusal(realBomb));
  const headerBombRefusal = await time(iterations, () => expectRefusal(headerBomb));

  return {
    machine: { cpus: cpus().length, node: process.version, sharp: sharp.versions.sharp, vips: sharp.versions.vips, sharpConcurrency: sharp.concurrency() },
    iterations,
    input: { width: PHOTO_WIDTH, height: PHOTO_HEIGHT, format: 'jpeg', quality: 90, bytes: photo.length },
    ratioToBareResize: Number((percentile(pipeline.samples, 0.5) / percentile(bare.samples, 0.5)).toFixed(2)),
    ours: {
      description: 'the production path (createImageServices → uploadForVision): sniff, size and header pixel checks, SHA-256 of the upload, one decode (JPEG shrink-on-load) auto-oriented straight into the vision box (1024 box / 768 short side, flattened, sRGB), JPEG q85 stepping down to ≤ 1.5 MB',
      pipeline: summary(pipeline.samples),
      output: { width: pipeline.last.width, height: pipeline.last.height, bytes: pipeline.last.jpeg.length, estimatedTokens: pipeline.last.estimatedTokens },
    },
    oursWithFullSizeCleanCopy: {
      description: 'intakeImage keeping a full-size clean copy (JPEG q90) + prepareForVision',
      pipeline: summary(pipelineFullSize.samples),
      intakeOnly: summary(intakeOnly.samples),
      prepareForVisionOnly: summary(prepareOnly.samples),
      cleanImageBytes: cleanImage.length,
      output: { width: pipelineFullSize.last.width, height: pipelineFullSize.last.height, bytes: pipelineFullSize.last.jpeg.length, quality: pipelineFullSize.last.quality },
    },
    bareSharp: {
      description: "sharp(input).resize(1024, 1024, { fit: 'inside' }).jpeg({ quality: 80 })",
      timing: summary(bare.samples),
      output: { width: bare.last.info.width, height: bare.last.info.height, bytes: bare.last.data.length, estimatedTokens: estimateVisionTokens(bare.last.info.width, bare.last.info.height) },
    },
    bombRefusal: {
      realPng400Megapixels: { fileBytes: realBomb.length, code: realBombRefusal.last, ...summary(realBombRefusal.samples) },
      headerClaims100kBy100k: { fileBytes: headerBomb.length, code: headerBombRefusal.last, ...summary(headerBombRefusal.samples) },
    },
  };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const results = await runImageBench();
  const outputPath = `${resultsDir}image-bench.json`;
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(outputPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  console.log(`wrote ${outputPath}`);
}
