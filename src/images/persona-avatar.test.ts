import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TableRoundError } from '../errors.ts';
import { avatarColour, avatarInitial, prepareAvatar } from './persona-avatar.ts';
import { countInk, photoLikeJpeg, pixelAt } from './test-images.ts';

function hexToRgb(hex: string): number[] {
  return [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
}

describe('prepareAvatar: generated', () => {
  it('draws a 256 px square PNG in the id colour, deterministically', async () => {
    const seed = { id: 'persona-architect', displayName: 'Ada the Architect' };
    const first = await prepareAvatar(undefined, seed);
    const second = await prepareAvatar(undefined, seed);
    expect(first.generated).toBe(true);
    expect([first.width, first.height]).toEqual([256, 256]);
    expect((await sharp(first.png).metadata()).format).toBe('png');
    expect(first.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(second.hash).toBe(first.hash);
    expect((await pixelAt(first.png, 3, 3)).slice(0, 3)).toEqual(hexToRgb(avatarColour(seed.id)));
    expect(avatarInitial(seed)).toBe('A');
  });

  it('gives different ids different colours and hashes', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(new Set(ids.map(avatarColour)).size).toBe(ids.length);
    const one = await prepareAvatar(undefined, { id: 'one', displayName: 'Sam' });
    const two = await prepareAvatar(undefined, { id: 'two', displayName: 'Sam' });
    expect(one.hash).not.toBe(two.hash);
  });

  it('draws the first character of any script', async () => {
    expect(avatarInitial({ id: 'x', displayName: '  李白' })).toBe('李');
    expect(avatarInitial({ id: 'x', displayName: 'élodie' })).toBe('É');
    expect(avatarInitial({ id: 'x', displayName: '' })).toBe('X');
    const chinese = await prepareAvatar(undefined, { id: 'poet', displayName: '李白' });
    const latin = await prepareAvatar(undefined, { id: 'poet', displayName: 'Li Bai' });
    expect(chinese.hash).not.toBe(latin.hash);
    // White glyph ink in the centre, on the coloured background.
    const centre = { left: 64, top: 64, width: 128, height: 128 };
    const whiteInk = async (png: Buffer): Promise<number> => countInk(await sharp(png).negate({ alpha: false }).png().toBuffer(), centre, '#000000');
    expect(await whiteInk(chinese.png)).toBeGreaterThan(1500);
    expect(await whiteInk(latin.png)).toBeGreaterThan(1500);
  });
});

describe('prepareAvatar: from a file', () => {
  it('centre-crops a panel avatar to 256 px', async () => {
    const avatar = await prepareAvatar(await photoLikeJpeg(600, 400), { id: 'p', displayName: 'P' });
    expect(avatar.generated).toBe(false);
    expect([avatar.width, avatar.height]).toEqual([256, 256]);
    expect((await sharp(avatar.png).metadata()).format).toBe('png');
  });

  it('never enlarges a small avatar', async () => {
    const avatar = await prepareAvatar(await photoLikeJpeg(100, 80), { id: 'p', displayName: 'P' });
    expect([avatar.width, avatar.height]).toEqual([80, 80]);
  });

  it('refuses a file that is not an image', async () => {
    await expect(prepareAvatar(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { id: 'p', displayName: 'P' })).rejects.toBeInstanceOf(TableRoundError);
  });
});
