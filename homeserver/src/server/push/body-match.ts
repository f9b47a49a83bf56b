// `event_match` on `content.body` (and content rules, and contains_display_name): the pattern must
// match a substring of the body that starts and ends at a word boundary (start/end of the body or
// a character outside [A-Za-z0-9_]). glob.ts matches whole values only, so this runs the glob as a
// small automaton over the body: pattern positions are its states, a new match may begin after every
// non-word character and is accepted before one. Cost: body length × pattern length steps at most,
// whatever the pattern (no backtracking), case-insensitive like every push rule match.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#conditions-1
import type { GlobSteps } from "../../spec/glob.ts";

const isWordChar = (c: string | undefined): boolean => c !== undefined && c.length === 1 && isWordCode(c.charCodeAt(0));
/** [A-Za-z0-9_] by UTF-16 code unit (NaN, past either end, is not one). */
const isWordCode = (u: number): boolean => (u >= 97 && u <= 122) || (u >= 65 && u <= 90) || (u >= 48 && u <= 57) || u === 95;

/**
 * Whether `pattern` (a glob with `*` and `?`, or a literal when `literal`) matches `body` at word
 * boundaries. An empty pattern never matches.
 */
export function matchesAtWordBoundaries(pattern: string, body: string, literal = false, steps?: GlobSteps): boolean {
  // the usual patterns (a localpart, a display name) hold no wildcard: searched, not run as an automaton
  if (steps === undefined && isPlainPattern(pattern, literal)) return literalAtWordBoundaries(pattern.toLowerCase(), body.toLowerCase());
  const p = Array.from(pattern.toLowerCase());
  const v = Array.from(body.toLowerCase());
  if (p.length === 0) return false;
  const star = (i: number): boolean => !literal && p[i] === "*";
  // active[i]: the pattern's first i characters match the text read since some word start
  let active = new Uint8Array(p.length + 1);
  const close = (set: Uint8Array): void => {
    // a `*` may match nothing: being before it means being after it too
    for (let i = 0; i < p.length; i++) if (set[i] === 1 && star(i)) set[i + 1] = 1;
  };
  let n = 0;
  for (let pos = 0; ; pos++) {
    // a match starts after a non-word character (or at the start) and ends before one (or at the end)
    if (pos === 0 || !isWordChar(v[pos - 1])) {
      active[0] = 1;
      close(active);
    }
    if (active[p.length] === 1 && (pos === v.length || !isWordChar(v[pos]))) {
      if (steps) steps.count += n;
      return true;
    }
    if (pos === v.length) break;
    const c = v[pos] as string;
    const next = new Uint8Array(p.length + 1);
    for (let i = 0; i < p.length; i++) {
      if (active[i] !== 1) continue;
      n++;
      if (star(i)) next[i] = 1;
      else if (p[i] === c || (!literal && p[i] === "?")) next[i + 1] = 1;
    }
    close(next);
    active = next;
  }
  if (steps) steps.count += n;
  return false;
}

/** A pattern the automaton would match as plain text: literalAtWordBoundaries gives its answer. */
export const isPlainPattern = (pattern: string, literal = false): boolean => (literal || !/[*?]/.test(pattern)) && pattern.isWellFormed();

/**
 * The automaton's answer for a pattern without wildcards (both lowercased by the caller), from `indexOf` over UTF-16: a well-formed
 * pattern cannot match inside a surrogate pair, and a surrogate is no word character on either side.
 */
export function literalAtWordBoundaries(p: string, v: string): boolean {
  if (p === "") return false;
  for (let i = v.indexOf(p); i !== -1; i = v.indexOf(p, i + 1)) {
    if (!isWordCode(v.charCodeAt(i - 1)) && !isWordCode(v.charCodeAt(i + p.length))) return true;
  }
  return false;
}
