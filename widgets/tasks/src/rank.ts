// Fractional ranks for the board's order within a column (the protocol's `rank`: a string,
// compared by UTF-16 code unit, ≤ 128 characters). A move sends ONE update with a rank between the
// neighbours' ranks, so concurrent moves of different tasks never conflict.
// Generated ranks use the printable ASCII range '!'..'~' and never end with '!', so there is always
// room before and after any rank this file produced.

const MIN = 0x21; // '!'
const MAX = 0x7e; // '~'
export const MAX_RANK_LENGTH = 128;

/**
 * A rank strictly between `before` and `after` (null: no bound on that side), or undefined when
 * there is none within MAX_RANK_LENGTH (foreign ranks such as "a" and "a!", or equal ranks): the
 * caller then re-ranks the column.
 */
export function rankBetween(before: string | null, after: string | null): string | undefined {
  if (before !== null && after !== null && !(before < after)) return undefined;
  let out = "";
  let lowOn = before !== null; // `out` still equals before's prefix
  let highOn = after !== null; // `out` still equals after's prefix
  for (let i = 0; i < MAX_RANK_LENGTH; i++) {
    const lo = lowOn && before !== null && i < before.length ? before.charCodeAt(i) : MIN - 1;
    if (highOn && after !== null && i >= after.length) return undefined; // out === after: cannot happen when before < after
    const hi = highOn && after !== null ? after.charCodeAt(i) : MAX + 1;
    // Room for a character strictly between, that is not the smallest one (no trailing '!').
    const from = Math.max(lo + 1, MIN + 1);
    const to = Math.min(hi - 1, MAX);
    if (from <= to) return out + String.fromCharCode(from + ((to - from) >> 1));
    // No room at this position: take the lower character (or the smallest if before is exhausted)
    // and go one deeper.
    const c = lo >= MIN ? lo : MIN;
    if (c > hi) return undefined;
    out += String.fromCharCode(c);
    if (c !== lo) lowOn = false;
    if (c < hi) highOn = false;
  }
  return undefined;
}

/**
 * `n` increasing ranks after `before` (for ranking a column whose tasks have none yet), spread
 * evenly over fixed-length suffixes of one short prefix: 2,000 tasks get 2-character suffixes,
 * with room between any two neighbours for later moves (one by one, each rank would take half of
 * what is left and the ranks would grow by a character every few tasks, up to the length limit).
 */
export function ranksAfter(before: string | null, n: number): string[] {
  if (n <= 0) return [];
  const prefix = before === null ? "" : rankBetween(before, null);
  if (prefix === undefined) return [];
  const base = MAX - MIN; // suffix characters '"'..'~': never '!', so none ends with it
  let length = 1;
  while (base ** length < 2 * (n + 1)) length++;
  if (prefix.length + length > MAX_RANK_LENGTH) return [];
  const span = base ** length;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let v = Math.floor(((i + 1) * span) / (n + 1));
    let suffix = "";
    for (let k = 0; k < length; k++) {
      suffix = String.fromCharCode(MIN + 1 + (v % base)) + suffix;
      v = Math.floor(v / base);
    }
    out.push(prefix + suffix);
  }
  return out;
}
