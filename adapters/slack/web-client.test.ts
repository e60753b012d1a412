/**
 * The Web API client's logs at LOG_LEVEL=debug, through the real client against the emulator:
 * the SDK's request bodies and full responses (a person's words, the bot's posts) never reach a
 * log line.
 */
import { Writable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../test/slack-emulator/slack-emulator.ts';
import { configFrom } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { webClientOptions } from './web-client.ts';

let emulator: SlackEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

describe('the Slack SDK logger at LOG_LEVEL=debug', () => {
  it('passes on no request body and no response: what was posted is in no log line', async () => {
    emulator = await startSlackEmulator({ echoBotMessages: false });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('debug', destination);
    const client = new WebClient(emulator.botToken, webClientOptions(configFrom({ SLACK_API_URL: emulator.apiUrl }), logger));
    const channel = emulator.addChannel('design');
    const posted = await client.chat.postMessage({ channel: channel.id, text: 'the private recipe: 42 cloves of garlic' });
    await client.conversations.replies({ channel: channel.id, ts: posted.ts ?? '' });
    logger.debug('our own debug line');

    const log = lines.join('');
    expect(log).toContain('our own debug line');
    expect(log).not.toMatch(/42 cloves|http request body|http request result|http request headers/);
  });
});
