/**
 * An "OpenAI-compatible" image endpoint that answers with a URL into the cloud metadata service
 * (or anything but an image) gets nothing fetched and nothing posted: with the production download
 * settings (https only, no private addresses) the bot refuses the address before connecting,
 * tells the person in one short line, and the session goes on.
 *
 * One that answers more images than asked for gets only the count asked for posted; every image
 * it returned — used or refused — is charged and counts towards the session's image limit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { asTableRoundError } from '../../src/errors.ts';
import { describeForPerson } from '../../src/engine/describe-error.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';

let fake: FakeOpenAI | undefined;
let app: (RunningApp & { prefix: string }) | undefined;
let metadata: Server | undefined;
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await new Promise((resolve) => metadata?.close(resolve) ?? resolve(undefined));
  if (app) await cleanupRedis(app.prefix);
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('an image provider that answers with a hostile URL', () => {
  it('is refused before any request, and nothing is posted but a short line', { timeout: 60_000 }, async () => {
    let metadataHits = 0;
    metadata = createServer((_request, response) => {
      metadataHits += 1;
      response.end('{"AccessKeyId":"AKIA-SECRET-METADATA"}');
    });
    await new Promise<void>((resolve) => metadata!.listen(0, '127.0.0.1', resolve));
    const metadataUrl = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/latest/meta-data/iam/security-credentials/role`;
    fake = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    app = await startTestApp({
      modelUrl: fake.url,
      adapters: [adapter],
      env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', DOWNLOAD_ALLOW_HTTP: false, DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: false, MODEL_MAX_RETRIES: 0 },
    });
    const person = { id: 'u', displayName: 'Ana' };
    const { sessionId } = await app.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'ssrf' }, person, topic: 'A lamp' });
    await waitFor(async () => !(await app!.roundtable.isBusy(sessionId)), 'introductions');

    for (const url of ['http://169.254.169.254/latest/meta-data/', metadataUrl, `https://[::ffff:169.254.169.254]/latest/`]) {
      fake.setImages(() => ({ kind: 'url', url }));
      const before = adapter.postsOf(sessionId).length;
      await app.roundtable.submit(sessionId, person, { type: 'command', name: 'imagine', options: { prompt: 'a lamp' } });
      await waitFor(async () => !(await app!.roundtable.isBusy(sessionId)), 'the imagine step');
      const posts = adapter.postsOf(sessionId).slice(before);
      expect(posts.flatMap((post) => post.files)).toEqual([]);
      expect(posts.map((post) => post.text).join('\n')).toMatch(/Image generation failed: I can't download images from that address\./);
      expect(posts.map((post) => post.text).join('\n')).not.toMatch(/169\.254|127\.0\.0\.1|AKIA/);
    }
    expect(metadataHits).toBe(0);

    // Bytes that are not an image, given inline, are not posted either.
    fake.setImages(() => ({ kind: 'b64', bytes: Buffer.from('{"AccessKeyId":"AKIA-SECRET-METADATA"}') }));
    const before = adapter.postsOf(sessionId).length;
    await app.roundtable.submit(sessionId, person, { type: 'command', name: 'imagine', options: { prompt: 'a lamp' } });
    await waitFor(async () => !(await app!.roundtable.isBusy(sessionId)), 'the imagine step');
    const posts = adapter.postsOf(sessionId).slice(before);
    expect(posts.flatMap((post) => post.files)).toEqual([]);
    expect(posts.map((post) => post.text).join('\n')).toMatch(/not an image/);
    expect((await app.roundtable.status(sessionId))?.ended).toBe(false);
  });
});

describe('an image provider that answers more than it was asked', () => {
  it('gets only the count asked for posted, and every image it returned — used or refused — charged and counted', { timeout: 60_000 }, async () => {
    const provider = await startFakeOpenAI({ chat: roundtableReply });
    const adapter = new RecordingAdapter();
    const running = await startTestApp({
      modelUrl: provider.url,
      adapters: [adapter],
      env: { AUTO_ROUNDS: 0, PANELS_DIR: panelsDir, DEFAULT_PANEL: 'duo', IMAGE_COUNT: 2, SESSION_IMAGE_LIMIT: 4, IMAGE_TOKEN_COST: 1_000, MODEL_MAX_RETRIES: 0 },
    });
    stops.push(async () => {
      await running.stop();
      await provider.close();
      await cleanupRedis(running.prefix);
    });
    const person = { id: 'p', displayName: 'Ana' };
    const { sessionId } = await running.roundtable.start({ address: { platform: 'terminal', channel: 'c', thread: 'fifty' }, person, topic: 'A lamp' });
    const idle = () => waitFor(async () => !(await running.roundtable.isBusy(sessionId)), 'the session to go idle');
    const imagine = async () => {
      await running.roundtable.submit(sessionId, person, { type: 'command', name: 'imagine', options: { prompt: 'a lamp' } });
      await idle();
    };
    await idle();
    const spentBefore = await running.store.userSpend('terminal', person.id);
    const tokensBefore = (await running.store.load(sessionId))!.tokensCompletion;

    // Fifty images for two asked: two posted, two charged, two counted.
    provider.setImages(() => ({ kind: 'b64', count: 50 }));
    await imagine();
    expect(adapter.postsOf(sessionId).flatMap((post) => post.files)).toHaveLength(2);
    expect((await running.store.load(sessionId))!.imagesGenerated).toBe(2);
    expect((await running.store.userSpend('terminal', person.id)) - spentBefore).toBe(2_000);

    // Two returned, both refused (not images): nothing posted, yet both billed — charged and counted.
    provider.setImages(() => ({ kind: 'b64', bytes: Buffer.from('{"not":"an image"}') }));
    const before = adapter.postsOf(sessionId).length;
    await imagine();
    const refusedPosts = adapter.postsOf(sessionId).slice(before);
    expect(refusedPosts.flatMap((post) => post.files)).toEqual([]);
    expect(refusedPosts.map((post) => post.text).join('\n')).toMatch(/not an image/);
    const after = (await running.store.load(sessionId))!;
    expect(after.imagesGenerated).toBe(4);
    expect(after.tokensCompletion - tokensBefore).toBe(4_000);
    expect((await running.store.userSpend('terminal', person.id)) - spentBefore).toBe(4_000);

    // The limit of 4 is reached: the provider is not asked again.
    const refusal = await running.roundtable.submit(sessionId, person, { type: 'command', name: 'imagine', options: { prompt: 'again' } }).then(
      (result) => (result as { notice?: string }).notice ?? 'ok',
      (error: unknown) => describeForPerson(asTableRoundError(error)),
    );
    expect(refusal).toMatch(/used its 4 concept images/);
    expect(provider.imageRequests()).toHaveLength(2);
  });
});
