import { describe, expect, it } from 'vitest';
import { canonicalLanguage, detectLanguageCode, languageName } from './detect-language.ts';

describe('detectLanguageCode', () => {
  it('tells English, French, German and Spanish sentences apart', () => {
    expect(detectLanguageCode('I think the lamp should be smaller and cheaper for students.')).toBe('en');
    expect(detectLanguageCode('Je pense que la lampe devrait être plus petite et moins chère pour les étudiants.')).toBe('fr');
    expect(detectLanguageCode('Ich denke, die Lampe sollte kleiner und billiger für Studenten sein.')).toBe('de');
    expect(detectLanguageCode('Creo que la lámpara debería ser más pequeña y barata para los estudiantes.')).toBe('es');
    // Short English that franc alone scores as French, Romanian or Javanese.
    expect(detectLanguageCode('A felt lamp for student dorms')).toBe('en');
    expect(detectLanguageCode('How should we price a handmade lamp?')).toBe('en');
    expect(detectLanguageCode('A reading lamp inspired by Mongolian paper cutting')).toBe('en');
    // … while French without a single accent stays French.
    expect(detectLanguageCode('Parlons du prix maintenant.')).toBe('fr');
    // Scripts of their own, and franc's ISO 639-3 codes mapped to ours (rus → ru, arb → ar).
    expect(detectLanguageCode('Я думаю, что лампа должна быть меньше и дешевле для студентов.')).toBe('ru');
    expect(detectLanguageCode('أعتقد أن المصباح يجب أن يكون أصغر وأرخص للطلاب')).toBe('ar');
  });

  it('tells Chinese from Japanese by kana, and calls Han alone Chinese', () => {
    expect(detectLanguageCode('蒙古族剪纸文创产品设计')).toBe('zh');
    expect(detectLanguageCode('我觉得这个灯应该更小更便宜')).toBe('zh');
    expect(detectLanguageCode('折り紙のデザイン')).toBe('ja');
    // Mostly kanji, a little kana: still Japanese (franc alone would say Chinese).
    expect(detectLanguageCode('伝統工芸品の現代的設計')).toBe('ja');
    expect(detectLanguageCode('학생들을 위한 작은 조명')).toBe('ko');
  });

  it('leaves short or ambiguous text undecided', () => {
    expect(detectLanguageCode('ok thanks')).toBeUndefined();
    expect(detectLanguageCode('好的')).toBeUndefined();
    expect(detectLanguageCode('Sounds good to me')).toBeUndefined();
    expect(detectLanguageCode('👍 https://example.com/a-long-link-that-is-no-language')).toBeUndefined();
    // Italian that scores as Portuguese almost as well: a tie decides nothing.
    expect(detectLanguageCode('Chi comprerebbe davvero questo prodotto?')).toBeUndefined();
  });
});

describe('language codes and names', () => {
  it('names codes in English for prompts', () => {
    expect(languageName('zh')).toBe('Chinese');
    expect(languageName('fr')).toBe('French');
    expect(languageName('xx')).toBeUndefined();
  });

  it('canonicalises what people type, and refuses what is not a language', () => {
    expect(canonicalLanguage('ZH')).toBe('zh');
    expect(canonicalLanguage('pt-br')).toBe('pt-BR');
    expect(canonicalLanguage('klingon')).toBeUndefined();
    expect(canonicalLanguage('xx')).toBeUndefined();
  });
});
