import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../session/session-types.ts';
import { promptLanguage, resolveSessionLanguage, sessionLanguage } from './session-language.ts';

const chineseTopic = '蒙古族剪纸文创产品设计';
const english = ['Could you tell us more about the price for students?', 'I would also like to hear about the materials you would use.'];
const base = { topic: chineseTopic, peopleMessages: [] as string[], defaultLanguage: 'auto' };

const said = (kind: TranscriptEntry['kind'], text: string): TranscriptEntry => ({ kind, speakerId: kind, speakerName: kind, text, at: 0, stage: 'discussion', round: 1 });

describe('resolveSessionLanguage', () => {
  it('speaks the topic’s language at first', () => {
    expect(resolveSessionLanguage(base)).toBe('zh');
    expect(resolveSessionLanguage({ ...base, topic: 'A felt lamp for student dorms' })).toBe('en');
  });

  it('follows the people when their last two messages agree on another language', () => {
    expect(resolveSessionLanguage({ ...base, current: 'zh', peopleMessages: english })).toBe('en');
  });

  it('does not change for one message, or for two that disagree', () => {
    expect(resolveSessionLanguage({ ...base, current: 'zh', peopleMessages: [english[0]!] })).toBe('zh');
    expect(resolveSessionLanguage({ ...base, current: 'zh', peopleMessages: [english[0]!, '我觉得这个灯应该更小更便宜'] })).toBe('zh');
  });

  it('skips messages too short to tell', () => {
    expect(resolveSessionLanguage({ ...base, current: 'zh', peopleMessages: [english[0]!, 'ok', english[1]!, '好的'] })).toBe('en');
  });

  it('keeps the current language once chosen, whatever the topic says', () => {
    expect(resolveSessionLanguage({ ...base, current: 'en' })).toBe('en');
  });

  it('lets an override win over the people and the topic; cleared (auto), detection decides again', () => {
    expect(resolveSessionLanguage({ ...base, override: 'fr', current: 'fr', peopleMessages: english })).toBe('fr');
    // `/lang auto`: no override, no current language — the people's two messages decide …
    expect(resolveSessionLanguage({ ...base, override: '', peopleMessages: english })).toBe('en');
    // … and without them, the topic.
    expect(resolveSessionLanguage({ ...base, override: '' })).toBe('zh');
  });

  it('falls back to DEFAULT_LANGUAGE, where auto means English', () => {
    expect(resolveSessionLanguage({ ...base, topic: 'AI' })).toBe('en');
    expect(resolveSessionLanguage({ ...base, topic: 'AI', defaultLanguage: 'de' })).toBe('de');
  });
});

describe('sessionLanguage', () => {
  it('counts only people’s messages, not the panel’s or the moderator’s', () => {
    const meta = { topic: chineseTopic, language: 'zh' };
    const panelInEnglish = [said('persona', english[0]!), said('moderator', english[1]!)];
    expect(sessionLanguage(meta, panelInEnglish, 'auto')).toBe('zh');
    expect(sessionLanguage(meta, [said('person', english[0]!), ...panelInEnglish, said('person', english[1]!)], 'auto')).toBe('en');
  });
});

describe('promptLanguage', () => {
  it('names the session language for prompts', () => {
    expect(promptLanguage({ topic: 'A lamp', language: 'zh' })).toBe('Chinese');
    expect(promptLanguage({ topic: 'A lamp', language: 'zh', languageOverride: 'fr' })).toBe('French');
    // A session from before languages were kept: the topic's.
    expect(promptLanguage({ topic: chineseTopic })).toBe('Chinese');
  });
});
