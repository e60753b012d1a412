/**
 * Images in a session, end to end on real Redis/BullMQ with the real openai SDK against the fake
 * model: every accepted format is prepared and described once (the vision model receives a JPEG
 * within the box), each persona's story prompt holds the description, a refused file gets a
 * specific message and the session carries on, and /imagine handles b64_json and url answers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../fake-openai/fake-openai-server.ts';
import { chatBody, messageText, roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import { bombPng, makeBmp, photoLikeJpeg } from '../../src/images/test-images.ts';
import type { RunningApp } from '../../src/app/start-app.ts';

const folder = mkdtempSync(join(tmpdir(), 'tr-images-'));
const person = { id: 'u', displayName: 'Ana' };
let fake: FakeOpenAI;
let app: RunningApp & { prefix: string };
const adapter = new RecordingAdapter();
let imageReply: 'b64' | 'url' = 'b64';

function isVision(request: RecordedRequest): boolean {
  return JSON.stringify(chatBody(request).messages).includes('image_url');
}

beforeAll(async () => {
  fake = await startFakeOpenAI({
    chat: (request) => (isVision(request) ? { kind: 'text', text: `A red and blue picture (${fake.chatRequests().filter(isVision).length}).` } : roundtableReply(request)),
    images: () => ({ kind: imageReply }),
  });
  app = await startTestApp({ modelUrl: fake.url, adapters: [adapter], env: { AUTO_ROUNDS: 0, PANELS_DIR: './prompts/panels', DEFAULT_PANEL: 'product-strategy' } });
  const photo = await photoLikeJpeg(4000, 3000);
  const base = sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } });
  const files: Record<string, Buffer> = {
    'photo.jpg': photo,
    'alpha.png': await base.clone().png().toBuffer(),
    'pic.webp': await base.clone().webp().toBuffer(),
    'anim.gif': await base.clone().gif().toBuffer(),
    'pic.avif': await base.clone().avif().toBuffer(),
    'pic.tiff': await base.clone().tiff().toBuffer(),
    'pic.bmp': makeBmp({ width: 40, height: 30, bitsPerPixel: 24, pixel: (x) => (x < 20 ? [255, 0, 0, 255] : [0, 0, 255, 255]) }),
    'iphone.heic': readFileSync('test/fixtures/images/red-blue-64x48.heic'),
    'bomb.png': bombPng(20_000, 20_000, { headerOnly: true }),
    'fake.jpg': Buffer.from('<html><body>login</body></html>'),
    'same-photo-again.jpg': photo,
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(folder, name), bytes);
}, 60_000);

afterAll(async () => {
  await app.stop();
  await fake.close();
  await cleanupRedis(app.prefix);
});

describe('images in a session', () => {
  it('describes each distinct image of every format once, and every persona tells a story about it', async () => {
    const images = ['photo.jpg', 'alpha.png', 'pic.webp', 'anim.gif', 'pic.avif', 'pic.tiff', 'pic.bmp', 'iphone.heic'];
    const { sessionId } = await app.roundtable.start({
      address: { platform: 'terminal', channel: 'c', thread: 'images' },
      person,
      topic: 'Pictures',
      images: images.map((name) => ({ kind: 'path' as const, location: join(folder, name), filename: name })),
    });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the images to be described', 90_000);
    const visionCalls = fake.chatRequests().filter(isVision);
    expect(visionCalls).toHaveLength(images.length);
    for (const call of visionCalls) {
      const part = (chatBody(call).messages[0]?.content as { type: string; image_url?: { url: string } }[]).find((item) => item.type === 'image_url')!;
      const jpeg = Buffer.from(part.image_url!.url.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
      const meta = await sharp(jpeg).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1024);
      expect(Math.min(meta.width!, meta.height!)).toBeLessThanOrEqual(768);
      expect(jpeg.length).toBeLessThanOrEqual(1_500_000);
    }
    const stories = fake.chatRequests().filter((request) => chatBody(request).response_format?.json_schema?.name === 'image_story');
    expect(stories).toHaveLength(images.length * 5);
    expect(messageText(chatBody(stories[0]!))).toContain('A red and blue picture (1).');
    const posts = adapter.postsOf(sessionId);
    expect(posts.filter((post) => post.text.startsWith('📷'))).toHaveLength(images.length);

    // The same photo again is not described again; refused files get specific messages.
    const before = fake.chatRequests().filter(isVision).length;
    for (const name of ['same-photo-again.jpg', 'bomb.png', 'fake.jpg']) {
      await app.roundtable.submit(sessionId, person, { type: 'message', text: '', images: [{ kind: 'path', location: join(folder, name), filename: name }] });
    }
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'the refusals');
    expect(fake.chatRequests().filter(isVision).length).toBe(before);
    const texts = adapter.postsOf(sessionId).map((post) => post.text);
    expect(texts.some((text) => /same-photo-again\.jpg: the panel has already seen this image/.test(text))).toBe(true);
    expect(texts.some((text) => /20,000×20,000.*limit is 50 megapixels/.test(text))).toBe(true);
    expect(texts.some((text) => /web page, not an image/.test(text))).toBe(true);
    // The session carries on.
    await app.roundtable.submit(sessionId, person, { type: 'message', text: 'Priya, thoughts?', images: [] });
    await waitFor(() => adapter.postsOf(sessionId).at(-1)?.speaker === 'Priya (product)', 'a reply');
  });

  it('/imagine posts the generated images whether the provider answers with b64_json or url', async () => {
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'imagine' }, person, topic: 'A lamp' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions');
    for (const shape of ['b64', 'url'] as const) {
      imageReply = shape;
      await app.roundtable.submit(sessionId, person, { type: 'command', name: 'imagine', options: { prompt: 'in red felt' } });
      await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), `imagine (${shape})`);
      const post = adapter.postsOf(sessionId).at(-1)!;
      expect(post.text).toMatch(/Concept images for Ana — “in red felt”/);
      expect(post.files).toHaveLength(2);
      expect((await sharp(post.files[0]!.bytes).metadata()).format).toBe('png');
    }
    const request = fake.imageRequests().at(-1)!;
    expect((request.body as { prompt: string }).prompt).toMatch(/A lamp[\s\S]*in red felt/);
  });

  it('answers an image-model refusal clearly and keeps the session', async () => {
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'refuse' }, person, topic: 'A lamp' });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'introductions');
    fake.setImages(() => ({ kind: 'error', status: 400, code: 'content_policy_violation', message: 'Your request was rejected by the safety system' }));
    await app.roundtable.submit(sessionId, person, { type: 'command', name: 'imagine', options: { prompt: 'something' } });
    await waitFor(async () => !(await app.roundtable.isBusy(sessionId)), 'imagine refusal');
    expect(adapter.postsOf(sessionId).at(-1)?.text).toMatch(/Image generation failed: The image model \(gpt-image-1\) refused this request under its content policy\./);
    expect((await app.roundtable.status(sessionId))?.ended).toBe(false);
  });
});
