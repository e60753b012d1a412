/**
 * `/lang` from its one file: parsed on every surface, validated to a canonical code, planned
 * ahead of what the session had planned; and the help texts of every shipped command in Chinese.
 */
import { describe, expect, it } from 'vitest';
import { loadCommands } from './load-commands.ts';
import lang from './lang.ts';
import { commandRegistry } from '../src/command-core/command-contract.ts';
import { helpLines } from '../src/command-core/command-syntax.ts';
import { plannerOver } from '../src/engine/agenda-planner.ts';
import { parseConsoleLine, consoleHelp } from '../adapters/terminal/parse-console-line.ts';
import { parseConsoleArgs } from '../adapters/terminal/parse-console-args.ts';
import type { Panel } from '../src/panels/panel-schema.ts';
import type { SessionMeta, Step } from '../src/session/session-types.ts';

describe('/lang', () => {
  it('is parsed from its file and validated to a canonical code or auto', async () => {
    const registry = commandRegistry(await loadCommands());
    expect(parseConsoleLine(registry, '/lang ZH')).toEqual({ kind: 'command', name: 'lang', options: { code: 'ZH' } });
    expect(lang.schema.parse({ code: 'ZH' })).toEqual({ code: 'zh' });
    expect(lang.schema.parse({ code: 'pt-br' })).toEqual({ code: 'pt-BR' });
    expect(lang.schema.parse({ code: 'Auto' })).toEqual({ code: 'auto' });
    expect(lang.schema.safeParse({ code: 'klingon' }).success).toBe(false);
  });

  it('takes effect at the next step, ahead of the turns already planned', () => {
    const agenda: { steps: Step[] } = { steps: [{ kind: 'turn', personaId: 'a', round: 1, reason: 'round' }] };
    const person = { id: 'u', displayName: 'Ana' };
    const planner = plannerOver({ panel: {} as Panel, meta: {} as SessionMeta, pollOpen: false }, agenda);
    lang.plan?.(planner, { person, options: { code: 'fr' } });
    expect(agenda.steps.map((step) => step.kind)).toEqual(['language', 'turn']);
    expect(agenda.steps[0]).toEqual({ kind: 'language', code: 'fr', by: person });
  });

  it('starts a terminal session with --lang', () => {
    expect(parseConsoleArgs(['--topic', 'A lamp', '--lang', 'ZH']).language).toBe('zh');
    expect(() => parseConsoleArgs(['--topic', 'A lamp', '--lang', 'klingon'])).toThrow(/--lang takes a language code/);
  });
});

describe('help in the session’s language', () => {
  it('gives every shipped command and usage its Chinese words; other languages read English', async () => {
    const commands = await loadCommands();
    for (const command of commands) {
      expect(command.descriptionIn?.zh, command.name).toBeTruthy();
      for (const usage of command.usages ?? []) expect(usage.saysIn?.zh, `${command.name} ${usage.args ?? ''}`).toBeTruthy();
    }
    const registry = commandRegistry(commands);
    expect(helpLines(registry, { kind: 'slash' }, 'terminal', { language: 'zh' })).toContain('`/vote close` — 结束投票并公布结果');
    expect(helpLines(registry, { kind: 'slash' }, 'terminal', { language: 'fr' })).toContain('`/vote close` — close the vote and show the result');
    expect(consoleHelp(registry, 'zh')).toContain('`/lang auto` — 重新跟随大家所用的语言');
    expect(consoleHelp(registry)).toContain('`/lang <code>` — speak this language from now on (zh, en, fr …)');
  });
});
