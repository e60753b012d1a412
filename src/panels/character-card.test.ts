import { Buffer } from 'node:buffer';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TableRoundError } from '../errors.ts';
import { cardJsonFromPng, importCharacterCard, MAX_CARD_BYTES } from './character-card.ts';

/** A V2 card modelled on the spec's fields, with every field filled. */
function v2Card(data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: {
      name: 'Aria Stormwind',
      description: '{{char}} is a wandering bard who trades songs for stories. She met {{user}} at a crossroads inn.',
      personality: 'Warm, curious and quick-witted; teases <USER> but never unkindly.',
      scenario: '<BOT> and {{user}} share a table at the Lantern Inn on a stormy night.',
      first_mes: '*{{char}} tunes her lute.* Well met, traveller!',
      mes_example: '<START>\n{{user}}: Who are you?\n{{char}}: Just a bard with more songs than coins, friend. {{user}}, sit down!\n<START>\n{{user}}: Sing.\n{{char}}: Gladly.',
      creator_notes: 'Works best with long replies.',
      system_prompt: 'You are {{char}}.',
      post_history_instructions: 'Stay in character.',
      alternate_greetings: ['Oh, it is you again!', ''],
      character_book: { name: 'Lore', entries: [{ keys: ['inn'], content: 'The Lantern Inn is old.', enabled: true, insertion_order: 0, extensions: {} }], extensions: {} },
      tags: ['Bard', 'fantasy'],
      creator: 'someone',
      character_version: '1.0',
      extensions: { talkativeness: '0.5' },
      ...data,
    },
  };
}

/** A V1 card: the same fields at the top level, no `spec`. */
function v1Card(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Old Tom',
    description: 'Old Tom keeps the lighthouse. He has seen forty winters there.',
    personality: '',
    scenario: '',
    first_mes: 'Hello there, {{user}}! Mind the steps, they are slick.',
    mes_example: '',
    ...fields,
  };
}

/** A V3 card: V2's `data` plus extras. */
function v3Card(data: Record<string, unknown> = {}): Record<string, unknown> {
  const v2 = v2Card(data);
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      ...(v2.data as Record<string, unknown>),
      name: 'Seraphina Nightingale',
      nickname: 'Sera',
      group_only_greetings: [],
      assets: [{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }],
      ...data,
    },
  };
}

function chunk(type: string, data: Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typeAndBody = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndBody));
  return Buffer.concat([length, typeAndBody, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 1×1 RGB PNG with the given extra chunks between IHDR and IDAT. */
function png(...extra: Buffer[]): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const idat = deflateSync(Buffer.from([0, 0x20, 0x40, 0x60]));
  return new Uint8Array(Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), ...extra, chunk('IDAT', idat), chunk('IEND', '')]));
}

function base64(card: unknown): string {
  return Buffer.from(JSON.stringify(card), 'utf8').toString('base64');
}

function tEXt(keyword: string, text: string): Buffer {
  return chunk('tEXt', `${keyword}\0${text}`);
}

function iTXt(keyword: string, text: string, compressed = false): Buffer {
  return chunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([compressed ? 1 : 0, 0]), Buffer.from('\0\0'), Buffer.from(text, 'utf8')]));
}

/** The TableRoundError `run` throws (fails the test when it throws anything else or nothing). */
function refusal(run: () => unknown): TableRoundError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TableRoundError);
    const refused = error as TableRoundError;
    expect(refused.publicMessage.length).toBeLessThanOrEqual(100);
    return refused;
  }
  throw new Error('expected a refusal');
}

describe('importing a V2 card', () => {
  const { persona, dropped, notes, format } = importCharacterCard(JSON.stringify(v2Card()));

  it('maps name, tags, personality, description, scenario and example dialogue onto the persona fields', () => {
    expect(format).toBe('v2');
    expect(persona).toEqual({
      id: 'aria_stormwind',
      displayName: 'Aria Stormwind',
      role: 'bard',
      roleTitle: 'Bard',
      roleFocus: 'Warm, curious and quick-witted; teases the person but never unkindly.',
      background:
        'Aria Stormwind is a wandering bard who trades songs for stories. She met the person at a crossroads inn.\n\n' +
        'Setting: Aria Stormwind and the person share a table at the Lantern Inn on a stormy night.',
      speakingStyle: 'Speaks like: “Just a bard with more songs than coins, friend. The person, sit down!”',
      emoji: ':speech_balloon:',
    });
    expect(persona).not.toHaveProperty('avatar');
    expect(persona).not.toHaveProperty('model');
  });

  it('replaces {{char}}/<BOT> with the display name and {{user}}/<USER> with "the person" in every field', () => {
    const text = Object.values(persona).join('\n');
    expect(text).not.toMatch(/\{\{|<bot>|<user>/i);
    expect(persona.background).toContain('She met the person');
    expect(persona.background).toContain('Setting: Aria Stormwind and the person');
  });

  it('lists every non-empty field it did not carry, by its card field name', () => {
    expect(dropped).toEqual([
      'first_mes',
      'creator_notes',
      'system_prompt',
      'post_history_instructions',
      'alternate_greetings',
      'character_book',
      'tags',
      'creator',
      'character_version',
      'extensions',
    ]);
    expect(notes).toEqual(['only the first tag was used, as the role title']);
  });

  it('does not list empty fields as dropped and counts a single tag as used', () => {
    const card = v2Card({ creator_notes: '  ', alternate_greetings: [''], character_book: { entries: [], extensions: {} }, extensions: {}, tags: ['Bard'] });
    const { dropped, notes } = importCharacterCard(JSON.stringify(card));
    expect(dropped).toEqual(['first_mes', 'system_prompt', 'post_history_instructions', 'creator', 'character_version']);
    expect(notes).toEqual([]);
  });

  it('reads the card from JSON bytes as well as from text', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(v2Card()));
    expect(importCharacterCard(bytes).persona).toEqual(persona);
  });
});

describe('importing V1 and V3 cards', () => {
  it('reads a V1 card from top-level fields: style from first_mes, role focus from the first sentence, "Guest" without tags', () => {
    const { persona, dropped, format } = importCharacterCard(JSON.stringify(v1Card()));
    expect(format).toBe('v1');
    expect(persona).toMatchObject({
      id: 'old_tom',
      displayName: 'Old Tom',
      role: 'guest',
      roleTitle: 'Guest',
      roleFocus: 'Old Tom keeps the lighthouse.',
      background: 'Old Tom keeps the lighthouse. He has seen forty winters there.',
      speakingStyle: 'Speaks like: “Hello there, the person! Mind the steps, they are slick.”',
    });
    expect(dropped).toEqual([]);
  });

  it('takes the speaking style from lines labelled with the card name, and never from another speaker\'s line', () => {
    const labelled = importCharacterCard(JSON.stringify(v1Card({ mes_example: '<START>\nYou: hi\nOld Tom: Aye, the sea is cruel.' })));
    expect(labelled.persona.speakingStyle).toBe('Speaks like: “Aye, the sea is cruel.”');
    const othersOnly = importCharacterCard(JSON.stringify(v1Card({ mes_example: '<START>\n{{user}}: hi\nNarrator: Waves crash.' })));
    expect(othersOnly.persona.speakingStyle).toBe('Speaks like: “Hello there, the person! Mind the steps, they are slick.”');
    expect(othersOnly.dropped).toEqual(['mes_example']);
  });

  it('accepts a JSON text with a byte-order mark', () => {
    expect(importCharacterCard(`\uFEFF${JSON.stringify(v1Card())}`).persona.id).toBe('old_tom');
  });

  it('says "Plain and direct." when the card has no example dialogue or greeting', () => {
    const { persona } = importCharacterCard(JSON.stringify(v1Card({ first_mes: '' })));
    expect(persona.speakingStyle).toBe('Plain and direct.');
  });

  it('reads a V3 card: nickname as display name, id from the name, V3 extras listed as dropped', () => {
    const { persona, dropped, format } = importCharacterCard(JSON.stringify(v3Card()));
    expect(format).toBe('v3');
    expect(persona.displayName).toBe('Sera');
    expect(persona.id).toBe('seraphina_nightingale');
    expect(persona.background).toMatch(/^Sera is a wandering bard/);
    expect(dropped).toContain('assets');
    expect(dropped).not.toContain('group_only_greetings');
    expect(dropped).not.toContain('nickname');
  });
});

describe('lengths', () => {
  it('cuts a long description at a word boundary with "…", leaves out the scenario, and says so', () => {
    const description = 'word '.repeat(400).trim();
    const { persona, notes, dropped } = importCharacterCard(JSON.stringify(v2Card({ description })));
    expect(persona.background.length).toBeLessThanOrEqual(1200);
    expect(persona.background).toMatch(/ word…$/);
    expect(notes).toContain('background cut to 1,200 characters');
    expect(dropped).toContain('scenario');
  });

  it('cuts the scenario to fit after a medium description, and says so', () => {
    const description = 'A'.repeat(800);
    const scenario = 'rain '.repeat(200).trim();
    const { persona, notes, dropped } = importCharacterCard(JSON.stringify(v2Card({ description, scenario })));
    expect(persona.background.length).toBeLessThanOrEqual(1200);
    expect(persona.background).toMatch(/\n\nSetting: rain rain .* rain…$/);
    expect(notes).toContain('scenario cut to fit the background');
    expect(dropped).not.toContain('scenario');
  });

  it('cuts a long personality to 400 characters for the role focus, and says so', () => {
    const personality = 'brave and kind, '.repeat(60);
    const { persona, notes } = importCharacterCard(JSON.stringify(v2Card({ personality })));
    expect(persona.roleFocus.length).toBeLessThanOrEqual(400);
    expect(persona.roleFocus.endsWith('…')).toBe(true);
    expect(notes).toContain('role focus cut to 400 characters');
  });
});

describe('ids and names', () => {
  it('makes the id unique against takenIds with _2, _3 …', () => {
    const card = JSON.stringify(v2Card());
    expect(importCharacterCard(card, { takenIds: new Set(['aria_stormwind']) }).persona.id).toBe('aria_stormwind_2');
    const third = importCharacterCard(card, { takenIds: new Set(['aria_stormwind', 'aria_stormwind_2']) });
    expect(third.persona.id).toBe('aria_stormwind_3');
    expect(third.notes).toContain('id is "aria_stormwind_3" as "aria_stormwind" is taken');
  });

  it('drops accents from a Latin name for the id', () => {
    expect(importCharacterCard(JSON.stringify(v1Card({ name: 'Zoë Ólafsdóttir' }))).persona.id).toBe('zoe_olafsdottir');
  });

  it('gives a non-Latin name a stable persona_<hash> id and keeps the name for display', () => {
    const first = importCharacterCard(JSON.stringify(v1Card({ name: '初音ミク' })));
    const again = importCharacterCard(JSON.stringify(v1Card({ name: '初音ミク' })));
    expect(first.persona.id).toMatch(/^persona_[0-9a-f]{8}$/);
    expect(again.persona.id).toBe(first.persona.id);
    expect(first.persona.displayName).toBe('初音ミク');
  });

  it('cleans the display name as webhook names are cleaned ("discord", "clyde" made unlike themselves; @ # : ` removed), and says so', () => {
    const { persona, notes } = importCharacterCard(JSON.stringify(v1Card({ name: '@Clyde`s Disdiscordcord #1: Helper' })));
    expect(persona.displayName).toBe('Clγdes Disdiscοrdcord 1 Helper');
    expect(persona.displayName).not.toMatch(/discord|clyde|[@#:`]/i);
    expect(notes).toContain('name shown as "Clγdes Disdiscοrdcord 1 Helper"');
  });
});

describe('PNG cards', () => {
  it('reads the card from a tEXt "chara" chunk and returns its JSON text', () => {
    const card = v2Card();
    const bytes = png(tEXt('chara', base64(card)));
    expect(JSON.parse(cardJsonFromPng(bytes))).toEqual(card);
    expect(importCharacterCard(bytes).persona.id).toBe('aria_stormwind');
  });

  it('prefers the "ccv3" chunk when both are present', () => {
    const bytes = png(tEXt('chara', base64(v2Card())), tEXt('ccv3', base64(v3Card())));
    expect(importCharacterCard(bytes)).toMatchObject({ format: 'v3', persona: { displayName: 'Sera' } });
  });

  it('reads an uncompressed iTXt card chunk', () => {
    expect(importCharacterCard(png(iTXt('chara', base64(v1Card())))).persona.id).toBe('old_tom');
  });

  it('refuses a compressed iTXt card chunk with the reason', () => {
    const error = refusal(() => importCharacterCard(png(iTXt('chara', 'eJzLSM3JyQcABiwCFQ==', true))));
    expect(error.publicMessage).toMatch(/compressed/);
  });

  it('ignores chunks after IEND', () => {
    const bytes = Buffer.concat([png(), tEXt('chara', base64(v1Card()))]);
    expect(refusal(() => cardJsonFromPng(bytes)).publicMessage).toMatch(/no character card/);
  });
});

describe('refusals', () => {
  it('refuses a PNG without a card chunk', () => {
    const error = refusal(() => importCharacterCard(png(tEXt('Comment', 'just a picture'))));
    expect(error.code).toBe('card_invalid');
    expect(error.publicMessage).toBe('This PNG has no character card in it.');
  });

  it('refuses bytes that are neither PNG nor JSON, and non-PNG bytes given as a PNG', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);
    expect(refusal(() => importCharacterCard(jpeg)).publicMessage).toMatch(/not a PNG .*or card JSON/);
    expect(refusal(() => cardJsonFromPng(jpeg)).publicMessage).toMatch(/not a PNG/);
  });

  it('refuses a truncated PNG', () => {
    const whole = png(tEXt('chara', base64(v1Card())));
    expect(refusal(() => importCharacterCard(whole.subarray(0, 40))).publicMessage).toMatch(/cut short/);
    expect(refusal(() => importCharacterCard(whole.subarray(0, whole.length - 12))).publicMessage).toMatch(/cut short/);
  });

  it('refuses card data that is not base64', () => {
    expect(refusal(() => importCharacterCard(png(tEXt('chara', '{not base64!}')))).publicMessage).toMatch(/not valid base64/);
  });

  it('refuses text that is not JSON, inside a PNG or given directly', () => {
    const notJson = Buffer.from('{ name: Aria', 'utf8').toString('base64');
    expect(refusal(() => importCharacterCard(png(tEXt('chara', notJson)))).publicMessage).toMatch(/not valid JSON/);
    expect(refusal(() => importCharacterCard('{"spec": ')).publicMessage).toMatch(/not valid JSON/);
  });

  it('refuses JSON that is not a character card, or of an unknown spec', () => {
    expect(refusal(() => importCharacterCard('[1, 2]')).publicMessage).toMatch(/not a character card/);
    expect(refusal(() => importCharacterCard('{"title": "x"}')).publicMessage).toMatch(/not a character card/);
    expect(refusal(() => importCharacterCard('{"spec": "chara_card_v9", "data": {}}')).publicMessage).toMatch(/format is not supported/);
    expect(refusal(() => importCharacterCard('{"spec": "chara_card_v2"}')).publicMessage).toMatch(/no data/);
  });

  it('refuses an empty name, and a name that is empty once cleaned', () => {
    expect(refusal(() => importCharacterCard(JSON.stringify(v2Card({ name: '  ' })))).publicMessage).toMatch(/no name/);
    expect(refusal(() => importCharacterCard(JSON.stringify(v2Card({ name: '@#:`\u200b' })))).publicMessage).toMatch(/name is empty/);
  });

  it('refuses a card with nothing to build a persona from', () => {
    const error = refusal(() => importCharacterCard(JSON.stringify(v1Card({ description: '' }))));
    expect(error.publicMessage).toMatch(/no description, personality or scenario/);
  });

  it('refuses a file over 8 MiB', () => {
    const huge = new Uint8Array(MAX_CARD_BYTES + 1);
    huge.set(SIGNATURE);
    expect(refusal(() => importCharacterCard(huge)).publicMessage).toMatch(/too large.*8 MiB/);
    expect(refusal(() => cardJsonFromPng(huge)).publicMessage).toMatch(/too large.*8 MiB/);
  });

  it('refuses card JSON over 256 KiB, as text or inside a PNG', () => {
    const big = v2Card({ description: 'x'.repeat(300 * 1024) });
    expect(refusal(() => importCharacterCard(JSON.stringify(big))).publicMessage).toMatch(/too large.*256 KiB/);
    expect(refusal(() => importCharacterCard(png(tEXt('chara', base64(big))))).publicMessage).toMatch(/too large.*256 KiB/);
  });
});
