import { describe, expect, it } from 'vitest';
import { APIError } from 'openai';
import { asTableRoundError, TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import { toModelError } from '../models/model-errors.ts';
import { ModelTimeoutError } from '../models/stream-deadline.ts';
import { describeForPerson } from './describe-error.ts';

const httpError = (status: number, message: string) => APIError.generate(status, { error: { message } }, undefined, new Headers());

describe('describeForPerson', () => {
  it('says a model error in the session’s language, and in English exactly as publicMessage does', () => {
    const cases = [
      [toModelError(new ModelTimeoutError('first_token', 300_000), 'summary', 'qwen'), 'The summary model (qwen) took too long to start answering.', '摘要模型（qwen）迟迟没有开始回答。'],
      [toModelError(httpError(429, 'slow down'), 'chat', 'qwen'), 'The chat model (qwen) is rate-limiting us; try again in a minute.', '对话模型（qwen）正在限流；请一分钟后再试。'],
      [toModelError(httpError(400, 'bad'), 'vision', 'qwen'), 'The vision model (qwen) rejected the request (HTTP 400); the operator can find the reason in the logs.', '视觉模型（qwen）拒绝了这个请求（HTTP 400）；管理员可以在日志中找到原因。'],
      [toModelError(httpError(502, 'bad gateway'), 'image', 'gpt-image-1'), 'The image model (gpt-image-1) failed (HTTP 502).', '图像模型（gpt-image-1）调用失败（HTTP 502）。'],
    ] as const;
    for (const [error, english, chinese] of cases) {
      expect(error.publicMessage).toBe(english);
      expect(describeForPerson(error)).toBe(english);
      expect(describeForPerson(error, 'en')).toBe(english);
      expect(describeForPerson(error, 'zh-CN')).toBe(chinese);
    }
  });

  it('says the fixed sentences of fixed codes, and passes an English-only publicMessage through', () => {
    expect(describeForPerson(new TableRoundError('step_abandoned', 'revived too often'), 'zh')).toBe('这一步多次让运行它的进程停止。');
    expect(describeForPerson(new TableRoundError('internal', 'boom', { publicMessage: 'x' }), 'zh')).toBe('我们这边出了点问题；讨论记录完好无损——请再试一次。');
    const tooLarge = new TableRoundError('image_too_large', '9 MB', { text: catalogText('image.tooLarge', { filename: 'a.png', size: '9.0 MB', limit: '8.0 MB' }) });
    expect(tooLarge.publicMessage).toBe('a.png is 9.0 MB; the limit is 8.0 MB.');
    expect(describeForPerson(tooLarge, 'zh')).toBe('a.png 大小为 9.0 MB；上限是 8.0 MB。');
    expect(describeForPerson(new TableRoundError('image_corrupt', 'bad', { publicMessage: 'That image is damaged.' }), 'zh')).toBe('That image is damaged.');
  });

  it('never says an error’s own message: one thrown without a sentence for people says a generic line, in the session’s language', () => {
    const error = new TableRoundError('platform_failed', 'POST https://discord.com/api/webhooks/1/secret-token failed');
    expect(error.publicMessage).toBe('Something went wrong on our side; please try again.');
    expect(describeForPerson(error)).toBe('Something went wrong on our side; please try again.');
    expect(describeForPerson(error, 'zh')).toBe('我们这边出了点问题，请再试一次。');
    expect(describeForPerson(asTableRoundError(new Error('ECONNRESET 10.0.0.1:6379')), 'en')).not.toContain('10.0.0.1');
  });
});
