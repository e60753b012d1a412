import { describe, expect, it } from 'vitest';
import { en, type Catalog } from './messages-en.ts';
import { zh } from './messages-zh.ts';
import { baseLanguage, catalogText, joinList, joinWithAnd, languageNameIn, renderText, t } from './translate.ts';

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));

describe('the catalogs', () => {
  it('give Chinese every English key and nothing else', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const value of Object.values(zh)) expect(value.trim()).not.toBe('');
  });

  it('never use a placeholder in Chinese that English does not pass', () => {
    for (const [key, text] of Object.entries(zh)) {
      const english = placeholders(en[key as keyof typeof en]);
      for (const name of placeholders(text)) expect(english, `${key}: {${name}}`).toContain(name);
    }
  });

  it('are checked by the compiler: a catalog without a key, or a call without its variables, does not type-check', () => {
    const { 'pause.post': _dropped, ...incomplete } = zh;
    // @ts-expect-error a catalog must define every key of the English one
    const missing: Catalog = incomplete;
    // @ts-expect-error `pause.post` needs {synthesis} and {commands}
    const withoutVariables = t('zh', 'pause.post', { synthesis: 'x' });
    // @ts-expect-error `status.none` has no placeholders
    const withExtra = t('zh', 'status.none', { topic: 'x' });
    expect([missing, withoutVariables, withExtra]).toHaveLength(3);
  });
});

describe('catalog texts', () => {
  it('render later, in the language known there, with sentences as variables rendered in it too', () => {
    const text = catalogText('model.contextExceeded', { role: catalogText('model.roleSummary'), model: 'qwen', limit: catalogText('model.contextLimit', { tokens: 8192 }) });
    expect(renderText('en', text)).toBe("The conversation no longer fits the summary model (qwen)'s context window of 8192 tokens.");
    expect(renderText('zh', text)).toBe('对话内容已超出摘要模型（qwen）的上下文窗口（8192 个令牌）。');
    // @ts-expect-error `model.timeout` needs {role} and {model}
    expect(catalogText('model.timeout', { model: 'qwen' }).key).toBe('model.timeout');
  });
});

describe('t', () => {
  it('fills placeholders in the session’s language', () => {
    expect(t('zh', 'start.started', { topic: '剪纸灯' })).toBe('圆桌已开始：剪纸灯');
    expect(t('en', 'start.started', { topic: 'A lamp' })).toBe('Roundtable started: A lamp');
  });

  it('chooses by base language and falls back to English', () => {
    expect(t('zh-TW', 'switch.switching')).toBe(zh['switch.switching']);
    expect(t('fr', 'switch.switching')).toBe('Switching roles…');
    expect(t(undefined, 'switch.switching')).toBe('Switching roles…');
    expect(baseLanguage('pt-BR')).toBe('pt');
  });

  it('joins lists and names languages the reader’s way', () => {
    expect(joinList('zh', ['a', 'b'])).toBe('a、b');
    expect(joinList('en', ['a', 'b'])).toBe('a, b');
    expect(['', 'Ada', 'Ada|Bo', 'Ada|Bo|Cy'].map((names) => joinWithAnd('en', names ? names.split('|') : []))).toEqual(['', 'Ada', 'Ada and Bo', 'Ada, Bo and Cy']);
    expect(joinWithAnd('zh', ['Ada', 'Bo', 'Cy'])).toBe('Ada、Bo 和 Cy');
    expect(languageNameIn('zh', 'zh')).toBe('中文');
    expect(languageNameIn('fr', 'fr')).toBe('français');
    expect(languageNameIn('zh', 'en')).toBe('Chinese');
  });
});
