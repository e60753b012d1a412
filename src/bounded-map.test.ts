import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.ts';

describe('BoundedMap', () => {
  it('drops the least recently used entry past its capacity, a read counting as a use', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
  });

  it('remembers computed values once each, undefined ones included', () => {
    const map = new BoundedMap<string, number | undefined>(4);
    let computed = 0;
    const compute = (key: string) => {
      computed++;
      return key === 'none' ? undefined : key.length;
    };
    expect(map.remember('abc', compute)).toBe(3);
    expect(map.remember('abc', compute)).toBe(3);
    expect(map.remember('none', compute)).toBeUndefined();
    expect(map.remember('none', compute)).toBeUndefined();
    expect(computed).toBe(2);
  });

  it('keeps the order of use when the newest entry is read again and again', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    expect(map.get('a')).toBe(1);
    expect(map.remember('a', () => 9)).toBe(1);
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
  });

  it('forgets a deleted newest entry', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
    expect(map.remember('a', () => 7)).toBe(7);
    expect(map.size).toBe(1);
  });
});
