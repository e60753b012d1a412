import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { lazyChild } from './lazy-child.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(level, destination);
  let children = 0;
  // Children inherit this own property: called on them, it makes their children.
  const child = logger.child;
  logger.child = function (this: typeof logger, ...args: Parameters<typeof logger.child>) {
    children++;
    return child.apply(this, args);
  } as typeof logger.child;
  return { logger, lines, children: () => children };
}

describe('a lazily made child logger', () => {
  it('makes no pino child while nothing is logged, or only levels that are off', () => {
    const { logger, children } = capture('warn');
    const step = lazyChild(logger, { sessionId: 's1', seq: 3 });
    step.debug({ x: 1 }, 'not shown');
    step.info('not shown either');
    const speaker = lazyChild(step, { persona: 'p1' });
    speaker.debug('nor this');
    // Its bindings, as pino's child would give them (a model call reads whose session it is).
    expect(speaker.bindings()).toEqual(logger.child({ sessionId: 's1', seq: 3 }).child({ persona: 'p1' }).bindings());
    expect(children()).toBe(2);
  });

  it('logs with its bindings, its nested children’s too, redacted as the parent redacts', async () => {
    const { logger, lines, children } = capture('info');
    const step = lazyChild(logger, { sessionId: 's1', seq: 3 });
    const speaker = lazyChild(step, { persona: 'p1' });
    speaker.warn({ config: { OPENAI_API_KEY: 'sk-secret-value-123' } }, 'model failed');
    step.info('step done');
    expect(step.isLevelEnabled('debug')).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.msg, line.sessionId, line.seq, line.persona])).toEqual([
      ['model failed', 's1', 3, 'p1'],
      ['step done', 's1', 3, undefined],
    ]);
    expect(JSON.stringify(lines)).not.toContain('sk-secret-value-123');
    // The step's child and the speaker's, each made once, when it first logged.
    expect(children()).toBe(2);
  });
});
