// Event-type pattern lists of filters (`types` / `not_types`), shared by the filter upload, the
// /sync filter and the /messages and /context filter. Patterns come from clients and a stored
// filter is evaluated on every /sync, so both the pattern length and the list length are capped
// (issue 9, finding 1): with the linear matcher of glob.ts one event costs at most
// MAX_PATTERNS_PER_LIST × pattern × type steps, and a per-list cache makes it once per event type.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering (`*` is the only wildcard).
import { compileGlob, MAX_GLOB_LENGTH, type GlobSteps } from "./glob.ts";
import { invalidParam } from "./matrix-error.ts";

/** More patterns than any client sends (Element sends a handful); a list is rejected above it. */
export const MAX_PATTERNS_PER_LIST = 100;

/** Distinct event types remembered per compiled list; past it the cache starts afresh. */
const CACHE_SIZE = 256;

const FILTER_GLOB = { questionMark: false, caseInsensitive: false };

/** Throws M_INVALID_PARAM when a type pattern list is too long or holds an over-long pattern. */
export function checkTypePatterns(list: readonly string[] | undefined, where: string): void {
  if (list === undefined) return;
  if (list.length > MAX_PATTERNS_PER_LIST) {
    throw invalidParam(`filter: '${where}' has ${list.length} patterns, at most ${MAX_PATTERNS_PER_LIST} are allowed`);
  }
  for (const p of list) {
    if (p.length > MAX_GLOB_LENGTH) throw invalidParam(`filter: a pattern in '${where}' is longer than ${MAX_GLOB_LENGTH} characters`);
  }
}

/** True when `type` matches any pattern of the list. */
export type TypeListMatcher = (type: string) => boolean;

/** Compiles a (checked) list once; `steps` counts matcher work for tests. */
export function compileTypePatterns(list: readonly string[], steps?: GlobSteps): TypeListMatcher {
  const matchers = [...new Set(list)].map((p) => compileGlob(p, FILTER_GLOB, steps));
  const seen = new Map<string, boolean>();
  return (type) => {
    const known = seen.get(type);
    if (known !== undefined) return known;
    const hit = matchers.some((m) => m(type));
    if (seen.size >= CACHE_SIZE) seen.clear();
    seen.set(type, hit);
    return hit;
  };
}

const compiled = new WeakMap<readonly string[], TypeListMatcher>();

/**
 * The matcher of a parsed filter's list, compiled on first use and kept as long as the list
 * lives (one /sync or /messages request), so filter types need not change shape.
 */
export function typeListMatcher(list: readonly string[]): TypeListMatcher {
  let m = compiled.get(list);
  if (!m) {
    m = compileTypePatterns(list);
    compiled.set(list, m);
  }
  return m;
}
