/**
 * The run-control commands come from their files alone: parsed on every surface (the terminal's
 * `/ask Bayar …`, Slack's `@TableRound stop`), registered as Discord slash commands, in every help
 * text, with their permissions — and exactly they act at once in a scripted terminal session.
 */
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../commands/load-commands.ts';
import { commandRegistry } from '../../src/command-core/command-contract.ts';
import { consoleHelp, parseConsoleLine } from '../../adapters/terminal/parse-console-line.ts';
import { helpText, parseCommandText } from '../../adapters/slack/command-text.ts';
import { buildCommandRegistrations } from '../../adapters/discord/command-registration.ts';

const commands = await loadCommands();
const registry = commandRegistry(commands);

describe('run-control commands', () => {
  it('are parsed on every surface', () => {
    expect(parseConsoleLine(registry, '/ask Bayar what about felt?')).toEqual({ kind: 'command', name: 'ask', options: { persona: 'Bayar', text: 'what about felt?' } });
    expect(parseConsoleLine(registry, '/resume 2')).toEqual({ kind: 'command', name: 'resume', options: { rounds: '2' } });
    expect(parseConsoleLine(registry, '/mute Li Zhiqiang')).toEqual({ kind: 'command', name: 'mute', options: { persona: 'Li Zhiqiang' } });
    expect(parseCommandText(registry, 'stop')).toEqual({ kind: 'command', name: 'stop', options: {} });
    expect(parseCommandText(registry, 'unmute Bayar')).toEqual({ kind: 'command', name: 'unmute', options: { persona: 'Bayar' } });
    const registrations = buildCommandRegistrations(commands);
    for (const name of ['stop', 'pause', 'resume', 'ask', 'mute', 'unmute']) expect(registrations.map((registration) => registration.name)).toContain(name);
    expect(registrations.find((registration) => registration.name === 'ask')?.options?.map((option) => [option.name, option.required])).toEqual([
      ['persona', true],
      ['text', true],
    ]);
    expect(consoleHelp(registry)).toContain('`/ask <persona> <text>` — only that persona answers next');
    expect(consoleHelp(registry, 'zh')).toContain('`/stop` — 让嘉宾们停下正在做的事（圆桌保持开放）');
    expect(helpText(registry, '/roundtable')).toContain('`@TableRound resume [rounds]`');
  });

  it('declare who may use them, and which act at once in a scripted terminal', () => {
    const permission = Object.fromEntries(['stop', 'pause', 'resume', 'ask', 'mute', 'unmute'].map((name) => [name, registry.get(name)?.permission]));
    expect(permission).toEqual({ stop: 'starter-or-manager', pause: 'starter-or-manager', resume: 'starter-or-manager', ask: 'anyone', mute: 'anyone', unmute: 'anyone' });
    expect(commands.filter((command) => command.actsImmediately).map((command) => command.name).sort()).toEqual(['ask', 'mute', 'pause', 'resume', 'stop', 'unmute']);
  });
});
