/**
 * An "OpenAI-compatible" image endpoint that answers with a URL into the cloud metadata service
 * (or anything but an image) gets nothing fetched and nothing posted: with the production download
 * settings (https only, no private addresses) the bot refuses the address before connecting,
 * tells the person in one short line, and the session goes on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-openai/fake-openai-server.ts';
import { roundtableReply } from '../harness/roundtable-model.ts';
import { RecordingAdapter } from '../harness/recording-adapter.ts';
import { cleanupRedis, startTestApp, waitFor } from '../harness/test-app.ts';
import type { RunningApp } from '../../src/app/start-app.ts';
import { panelsDir } from '../slack-e2e/slack-e2e-harness.ts';

let fake: FakeOpenAI | undefined;
let app: (RunningApp & { prefix: string }) | undefined;
let metadata: Server | undefined;
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await new Promise((resolve) => metadata?.close(resolve) ?? resolve(undefined));
  if (app) await cleanupRedis(app.prefix);
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
