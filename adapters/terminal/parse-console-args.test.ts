import { describe, expect, it } from 'vitest';
import { consoleUsage, parseConsoleArgs } from './parse-console-args.ts';

describe('npm run console -- --preset', () => {
  it('takes a preset name (any case) for the start request', () => {
    expect(parseConsoleArgs(['--topic', 'A lamp', '--preset', 'Quick']).preset).toBe('quick');
    expect(parseConsoleArgs(['--preset', 'deep', '--topic', 'A lamp', '--rounds', '2'])).toMatchObject({ topic: 'A lamp', preset: 'deep', rounds: 2 });
    expect(parseConsoleArgs(['--topic', 'A lamp']).preset).toBeUndefined();
  });

  it('refuses a missing or malformed name, and shows the option in the usage', () => {
    expect(() => parseConsoleArgs(['--topic', 'A lamp', '--preset'])).toThrow(/--preset needs a value/);
    expect(() => parseConsoleArgs(['--topic', 'A lamp', '--preset', 'very quick!'])).toThrow(/--preset takes a preset name, such as --preset quick/);
    expect(consoleUsage).toContain('[--preset quick|standard|deep]');
  });
});
