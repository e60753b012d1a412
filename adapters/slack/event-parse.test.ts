import { describe, expect, it } from 'vitest';
import { parsePersonMessage } from './event-parse.ts';

const bot = { userId: 'UBOT', appId: 'AAPP' };

describe('parsePersonMessage', () => {
  it('reads a mention with an image, stripping the bot mention', () => {
    const parsed = parsePersonMessage(
      {
        type: 'app_mention',
        user: 'U1',
        channel: 'C1',
        ts: '1700000000.000100',
        text: '<@UBOT> a kettle &amp; a cup',
        files: [
          { id: 'F1', name: 'k.png', mimetype: 'image/png', size: 10, url_private: 'https://files.slack.com/files-pri/T-F1/k.png', url_private_download: 'https://files.slack.com/files-pri/T-F1/download/k.png' },
          { id: 'F2', name: 'notes.pdf', mimetype: 'application/pdf', url_private: 'https://files.slack.com/x' },
        ],
      },
      bot,
    );
    expect(parsed).toMatchObject({ channel: 'C1', user: 'U1', threadTs: undefined, text: 'a kettle & a cup', mentionsBot: true });
    expect(parsed?.images).toEqual([{ kind: 'url', location: 'https://files.slack.com/files-pri/T-F1/download/k.png', filename: 'k.png', size: 10, contentType: 'image/png' }]);
  });

  it('ignores the bot itself, its personas, other bots and system subtypes', () => {
    const base = { type: 'message', channel: 'C1', ts: '2.0', thread_ts: '1.0', text: 'hi' };
    expect(parsePersonMessage({ ...base, subtype: 'bot_message', bot_id: 'B1', username: 'Designer' } as never, bot)).toBeUndefined();
    expect(parsePersonMessage({ ...base, user: 'UBOT', bot_id: 'B1' }, bot)).toBeUndefined();
    expect(parsePersonMessage({ ...base, user: 'UBOT' }, bot)).toBeUndefined();
    expect(parsePersonMessage({ ...base, user: 'U1', app_id: 'AAPP' }, bot)).toBeUndefined();
    expect(parsePersonMessage({ ...base, user: 'U1', subtype: 'message_changed' }, bot)).toBeUndefined();
    expect(parsePersonMessage({ ...base, user: 'U1' }, bot)).toMatchObject({ threadTs: '1.0', mentionsBot: false, text: 'hi' });
    expect(parsePersonMessage({ ...base, user: 'U1', text: '<@UBOT> vote' }, bot)).toMatchObject({ mentionsBot: true, text: 'vote' });
  });
});
