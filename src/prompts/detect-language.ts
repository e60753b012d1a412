/**
 * A hint of the topic's language for prompts ("write in Chinese"). Script-based and cheap; the
 * persona prompt also says "the language of the topic", so an unrecognised script still works.
 */
const scripts: [RegExp, string][] = [
  [/[\u3040-\u30ff]/, 'Japanese'],
  [/[\uac00-\ud7af]/, 'Korean'],
  [/[\u4e00-\u9fff]/, 'Chinese'],
  [/[\u0400-\u04ff]/, 'Russian (or the Cyrillic language of the topic)'],
  [/[\u0600-\u06ff]/, 'Arabic (or the Arabic-script language of the topic)'],
  [/[\u0900-\u097f]/, 'Hindi (or the Devanagari language of the topic)'],
  [/[\u0e00-\u0e7f]/, 'Thai'],
  [/[\u0370-\u03ff]/, 'Greek'],
  [/[\u0590-\u05ff]/, 'Hebrew'],
];

export function detectLanguage(text: string): string {
  for (const [pattern, language] of scripts) if (pattern.test(text)) return language;
  if (/[àâçéèêëîïôûùüÿœæ]/i.test(text) && /\b(le|la|les|des|une|pour|avec)\b/i.test(text)) return 'French';
  if (/[äöüß]/i.test(text) && /\b(der|die|das|und|für|mit)\b/i.test(text)) return 'German';
  if (/[ñ¿¡]/.test(text) || /\b(el|los|las|para|con|una)\b/i.test(text)) return 'Spanish (or the language of the topic)';
  return 'the same language as the topic (English if unsure)';
}
