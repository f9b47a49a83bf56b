// Reading values out of JSON text without parsing it: a stored event's `content` is passed through
// to clients as it is, so the read paths splice its text (rooms/client-event-text.ts) instead of
// parsing and serialising it again (docs/perf/listfetch.md). The text must be valid JSON (it is:
// the stored text is JSON.stringify's output); anything unexpected answers undefined and the
// caller falls back to JSON.parse.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string starting at `i` (a quote), or -1. */
function stringEnd(text: string, i: number): number {
  let j = text.indexOf('"', i + 1);
  while (j !== -1) {
    let slashes = 0;
    while (text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j + 1;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let k = i; k < text.length; k++) {
      const d = text.charCodeAt(k);
      if (d === QUOTE) {
        k = stringEnd(text, k) - 1;
        if (k < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    return -1;
  }
  // number, true, false, null
  let k = i;
  while (k < text.length) {
    const d = text.charCodeAt(k);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    k++;
  }
  return k > i ? k : -1;
}

/**
 * The text of the value of `key` in the top-level object of `json`: its first occurrence, so the
 * text must not repeat keys (JSON.stringify's never does; JSON.parse would take the last one).
 * Undefined when the key is absent, the text is not an object, or a key before it is written with
 * escapes (then only a parse can tell).
 */
export function topLevelValueText(json: string, key: string): string | undefined {
  let i = skipSpace(json, 0);
  if (json.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(json, i + 1);
  if (json.charCodeAt(i) === CLOSE_BRACE) return undefined;
  for (;;) {
    if (json.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(json, i);
    if (keyEnd < 0) return undefined;
    const found = keyEnd - i - 2 === key.length && json.startsWith(key, i + 1);
    if (!found && json.lastIndexOf("\\", keyEnd) > i) return undefined;
    i = skipSpace(json, keyEnd);
    if (json.charCodeAt(i) !== COLON) return undefined;
    i = skipSpace(json, i + 1);
    const end = valueEnd(json, i);
    if (end < 0) return undefined;
    if (found) return json.slice(i, end);
    i = skipSpace(json, end);
    if (json.charCodeAt(i) !== COMMA) return undefined;
    i = skipSpace(json, i + 1);
  }
}
