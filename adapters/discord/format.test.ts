import { describe, expect, it } from 'vitest';
import { defuseMassMentions, prepareContent, revealLinkTargets, threadNameFromTopic } from './format-content.ts';
import { sanitizeWebhookName } from './persona-name.ts';
import { decodePollClick, encodeClose, encodeToggle, renderPollComponents } from './poll-message.ts';
import { buildCommandRegistrations, coreCommandName } from './command-registration.ts';
import type { PollView } from '../../src/adapter/chat-adapter.ts';
import type { CommandDefinition } from '../../commands/command.ts';
import { z } from 'zod';

describe('content', () => {
  it('defuses mass mentions and strips reasoning', () => {
    expect(defuseMassMentions('hi @everyone and @here')).toBe('hi @\u200beveryone and @\u200bhere');
    expect(prepareContent('<think>secret</think>Answer')).toBe('Answer');
  });
  it('shows the target of every masked link', () => {
    expect(prepareContent('Read [click me](https://evil.example/x) first')).toBe('Read click me (https://evil.example/x) first');
    expect(prepareContent('[https://good.example](https://evil.example/steal)')).toBe('https://good.example (https://evil.example/steal)');
    expect(prepareContent('[https://same.example/a](https://same.example/a)')).toBe('https://same.example/a');
    expect(prepareContent('[](https://empty.example)')).toBe('https://empty.example');
    expect(prepareContent('[docs](<https://quiet.example/>) and [t](https://x.example "title")')).toBe('docs (<https://quiet.example/>) and t (https://x.example)');
    expect(prepareContent('[lamp](https://en.wikipedia.org/wiki/Lamp_(design)).')).toBe('lamp (https://en.wikipedia.org/wiki/Lamp_(design)).');
    expect(prepareContent('\\[escaped](https://still.example)')).toContain('(https://still.example)');
    // A link hidden inside another link's text is revealed too.
    expect(revealLinkTargets('[a [b](https://inner.example)](https://outer.example)')).toBe('a b (https://inner.example) (https://outer.example)');
  });
  it('leaves bare links, <links>, non-links and code alone', () => {
    for (const text of ['see https://a.example/x', 'see <https://a.example/x>', 'array[0](1) and [note](not a url)', '`[c](https://code.example)`', '```\n[c](https://block.example)\n```']) {
      expect(prepareContent(text)).toBe(text);
    }
    const long = `${'[x](https://long.example/path) '.repeat(80)}`;
    expect(prepareContent(long).length).toBeLessThanOrEqual(long.length);
  });
  it('names threads from the topic within 100 characters', () => {
    expect(threadNameFromTopic('  A   lamp\nfor bed ')).toBe('A lamp for bed');
    expect(threadNameFromTopic('y'.repeat(300))).toHaveLength(100);
  });
});

describe('webhook names', () => {
  it('never contains discord / clyde, stays ≤ 80 and falls back when empty', () => {
    for (const name of ['Discord fan', 'CLYDE', 'x'.repeat(200), '@everyone', '  ']) {
      const sanitized = sanitizeWebhookName(name, 'persona');
      expect(sanitized).not.toMatch(/discord|clyde/i);
      expect(sanitized.length).toBeGreaterThan(0);
      expect(sanitized.length).toBeLessThanOrEqual(80);
      expect(['everyone', 'here']).not.toContain(sanitized.toLowerCase());
    }
  });
});

describe('poll message', () => {
  const poll: PollView = {
    sessionId: 'discord:1:2',
    pollId: 'p1',
    status: 'open',
    candidates: Array.from({ length: 30 }, (_, index) => ({ index, label: `keyword ${index}`, personaVotes: 0, peopleVotes: 0 })),
    peopleVoters: 0,
    personaVoters: 0,
    threshold: 0.6,
    maxChoices: 3,
  };
  it('round-trips custom ids ≤ 100 chars, hashing long poll ids', () => {
    expect(decodePollClick(encodeToggle('p1', 7))).toEqual({ kind: 'toggle', pollKey: 'p1', index: 7 });
    expect(decodePollClick(encodeClose('p1'))).toEqual({ kind: 'close', pollKey: 'p1' });
    const long = encodeToggle('discord:123456789012345678:123456789012345678:poll:1700000000000', 12);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(decodePollClick(long)?.kind).toBe('toggle');
    expect(decodePollClick('something-else')).toBeUndefined();
  });
  it('fits Discord component limits: ≤ 5 rows of ≤ 5 buttons, Close last', () => {
    const rows = renderPollComponents(poll);
    expect(rows.length).toBeLessThanOrEqual(5);
    for (const row of rows) expect(row.components.length).toBeLessThanOrEqual(5);
    const close = rows.at(-1)?.components.at(-1);
    expect(close && 'label' in close ? close.label : undefined).toBe('Close vote');
  });
});

describe('command registration', () => {
  const definition = (name: string, options: CommandDefinition['options']): CommandDefinition => ({
    name,
    description: `${name} command`,
    options,
    schema: z.record(z.string(), z.unknown()),
    permission: 'anyone',
    requiresSession: false,
    execute: () => Promise.resolve({ text: '', visibility: 'ephemeral' }),
  });
  it('maps start to /roundtable, skips ballot and puts required options first', () => {
    const definitions: CommandDefinition[] = [
      {
        ...definition('start', [
          { name: 'panel', description: 'panel', type: 'string', required: false, maxLength: 40 },
          { name: 'topic', description: 'topic', type: 'string', required: true, maxLength: 500 },
          { name: 'rounds', description: 'rounds', type: 'integer', required: false, min: 0, max: 20 },
        ]),
        slashName: 'roundtable',
      },
      { ...definition('ballot', []), notOn: ['discord'] },
      definition('vote', [{ name: 'action', description: 'open or close', type: 'string', required: false, choices: ['open', 'close'] }]),
    ];
    const json = buildCommandRegistrations(definitions);
    expect(json.map((command) => command.name)).toEqual(['roundtable', 'vote']);
    expect(json[0]?.options?.map((option) => option.name)).toEqual(['topic', 'panel', 'rounds']);
    expect(json[0]?.options?.[2]).toMatchObject({ type: 4, min_value: 0, max_value: 20 });
    expect(json[1]?.options?.[0]).toMatchObject({ type: 3, choices: [{ name: 'open', value: 'open' }, { name: 'close', value: 'close' }] });
    expect(coreCommandName('roundtable', definitions)).toBe('start');
  });
});
