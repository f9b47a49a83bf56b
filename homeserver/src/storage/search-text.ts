// Pure text handling of server-side search: which text of an event is indexed, accent folding,
// the FTS5 query built from a search term, and the words to highlight out of marked-up text.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-side-search
import type { Pdu } from "../room/pdu.ts";

export type SearchKey = "content.body" | "content.name" | "content.topic";
export const SEARCH_KEYS: readonly SearchKey[] = ["content.body", "content.name", "content.topic"];

/** Markers around matched words in highlight()/ts_headline() output; folded text never contains them. */
export const MARK_START = "\u0001";
export const MARK_END = "\u0002";

/** Each indexed event type has exactly one searchable key, so a key filter is a type filter. */
const KEY_OF_TYPE: Readonly<Record<string, { key: SearchKey; field: string }>> = {
  "m.room.message": { key: "content.body", field: "body" },
  "m.room.name": { key: "content.name", field: "name" },
  "m.room.topic": { key: "content.topic", field: "topic" },
};

/** Indexed text is capped: a PDU is at most 64 KiB anyway, this bounds tsvector work per event. */
const MAX_INDEXED_CHARS = 16384;
const MAX_QUERY_WORDS = 16;

/**
 * The searchable text of an event, or undefined when it has none. m.room.encrypted events have no
 * cleartext key, so they are never indexed, whatever the room's encryption state.
 */
export function searchableText(pdu: Pdu): { key: SearchKey; text: string } | undefined {
  const spec = KEY_OF_TYPE[pdu.type];
  if (!spec) return undefined;
  const v = pdu.content[spec.field];
  if (typeof v !== "string" || v.trim() === "") return undefined;
  return { key: spec.key, text: v.slice(0, MAX_INDEXED_CHARS) };
}

export interface FoldedText {
  folded: string;
  /** For each UTF-16 unit of `folded`, the index of the unit of the original it comes from. */
  origin: number[];
}

/**
 * Removes diacritics ("réunion" → "reunion") so PostgreSQL's stemmers match accented and
 * unaccented spellings alike without the unaccent extension, keeping a map back to the original
 * so highlights name the words as written. Control characters (our markers among them) become spaces.
 */
export function foldText(text: string): FoldedText {
  let folded = "";
  const origin: number[] = [];
  let i = 0;
  for (const ch of text) {
    const base = /\p{Cc}/u.test(ch) ? " " : ch.normalize("NFD").replace(/\p{M}/gu, "");
    for (let k = 0; k < base.length; k++) origin.push(i);
    folded += base;
    i += ch.length;
  }
  return { folded, origin };
}

/** The words of a search term, as FTS5's unicode61 tokenizer splits them (letters and digits). */
export function queryWords(term: string): string[] {
  return (term.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_QUERY_WORDS);
}

/**
 * The FTS5 MATCH expression of a term: every word must occur (AND); words of 3 letters or more
 * also match as prefixes ("réunion" finds "réunions"; FTS5 has no stemmer for French). Each word
 * is quoted, so FTS5 syntax in user input (OR, NEAR, *, ^, column filters) is plain text.
 */
export function fts5Query(term: string): string | undefined {
  const words = queryWords(term);
  if (words.length === 0) return undefined;
  return words.map((w) => `"${w}"${[...w].length >= 3 ? "*" : ""}`).join(" ");
}

/** The searchable event type of each key (one type per key: a key filter is a type filter). */
export const TYPE_OF_KEY: Readonly<Record<SearchKey, string>> = Object.fromEntries(
  Object.entries(KEY_OF_TYPE).map(([type, spec]) => [spec.key, type]),
) as Record<SearchKey, string>;

/** A token as FTS5's unicode61 tokenizer with remove_diacritics 2 compares it: accents and case folded. */
const tokenKey = (word: string): string => foldText(word).folded.toLowerCase();

/**
 * `text` with the words the term's FTS5 query (fts5Query) matches between MARK_START and MARK_END,
 * as FTS5's highlight() marks them: the SQLite index keeps no text (contentless), so this is done
 * here on the event's own text. A word of 3 letters or more matches as a prefix.
 */
export function markMatches(text: string, term: string): string {
  const words = queryWords(term).map((w) => ({ key: tokenKey(w), prefix: [...w].length >= 3 }));
  if (words.length === 0) return text;
  return text.replace(/[\p{L}\p{N}]+/gu, (token) => {
    const k = tokenKey(token);
    return words.some((w) => (w.prefix ? k.startsWith(w.key) : k === w.key)) ? `${MARK_START}${token}${MARK_END}` : token;
  });
}

/**
 * The matched words of marked-up text (MARK_START word MARK_END), named as written in `original`
 * when the marked text is `original` itself (SQLite) or its folded form (PostgreSQL).
 */
export function markedWords(marked: string, original: string): string[] {
  const ranges: [number, number][] = [];
  let plain = "";
  let start = -1;
  for (const ch of marked) {
    if (ch === MARK_START) start = plain.length;
    else if (ch === MARK_END) {
      if (start >= 0 && plain.length > start) ranges.push([start, plain.length]);
      start = -1;
    } else plain += ch;
  }
  let source = plain;
  let toOriginal = (i: number): number => i;
  if (plain !== original) {
    const f = foldText(original);
    if (f.folded === plain) {
      source = original;
      toOriginal = (i) => (i < f.origin.length ? (f.origin[i] ?? original.length) : original.length);
    }
  }
  const words = new Set<string>();
  for (const [a, b] of ranges) {
    const w = source.slice(toOriginal(a), b >= plain.length ? source.length : toOriginal(b)).trim();
    if (w !== "") words.add(w);
  }
  return [...words];
}
