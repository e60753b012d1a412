import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and half-opens after the wait', () => {
    let now = 0;
    const breaker = new CircuitBreaker(3, 1_000, () => now);
    breaker.failed('a');
    breaker.failed('a');
    expect(breaker.openFor('a')).toBe(0);
    breaker.failed('a');
    expect(breaker.openFor('a')).toBe(1_000);
    expect(breaker.openFor('b')).toBe(0);
    now = 1_001;
    expect(breaker.openFor('a')).toBe(0);
    breaker.failed('a');
    expect(breaker.openFor('a')).toBeGreaterThan(0);
    breaker.succeeded('a');
    expect(breaker.openFor('a')).toBe(0);
  });
});
