// Glob matching without regular expressions, for every pattern that comes from outside: filter
// `types`/`not_types`, push rule `event_match`, server ACL `allow`/`deny`.
// Turning such a pattern into a RegExp made `a*a*a*…b` backtrack exponentially (issue 9, finding 1).
// This matcher keeps one backtrack point (the last `*`), so its cost is at most
// pattern.length × value.length steps, and patterns are capped in length by their parsers.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#conditions-1 (`*` and `?`),
//       https://spec.matrix.org/v1.16/client-server-api/#filtering (`*` only).

export interface GlobOptions {
  /** `?` matches exactly one character (push rules, server ACLs); otherwise it is literal (filters). */
  questionMark: boolean;
  /** Compare case-insensitively (push rules, server ACLs). */
  caseInsensitive: boolean;
}

/** Longest pattern accepted from outside; the parsers reject longer ones with a clear error. */
export const MAX_GLOB_LENGTH = 512;

/** Counts the comparison steps of a match, so tests measure work done instead of wall time. */
export interface GlobSteps {
  count: number;
}

/** Matches by code point, so `?` matches one character even outside the BMP. */
export function globMatches(pattern: string, value: string, options: GlobOptions, steps?: GlobSteps): boolean {
  return matchPoints(codePoints(pattern, options), codePoints(value, options), options.questionMark, steps);
}

const codePoints = (s: string, options: GlobOptions): string[] => Array.from(options.caseInsensitive ? s.toLowerCase() : s);

function matchPoints(p: readonly string[], v: readonly string[], questionMark: boolean, steps?: GlobSteps): boolean {
  let pi = 0;
  let vi = 0;
  let starP = -1; // position after the last `*` seen
  let starV = 0; // value position that `*` was last extended to
  let n = 0;
  while (vi < v.length) {
    n++;
    const pc = p[pi];
    if (pc === "*") {
      starP = ++pi;
      starV = vi;
    } else if (pc !== undefined && (pc === v[vi] || (questionMark && pc === "?"))) {
      pi++;
      vi++;
    } else if (starP >= 0) {
      pi = starP;
      vi = ++starV;
    } else {
      if (steps) steps.count += n;
      return false;
    }
  }
  while (p[pi] === "*") pi++;
  if (steps) steps.count += n;
  return pi === p.length;
}

/**
 * A matcher for one pattern, with a fast path for patterns without wildcards (the usual case).
 * The pattern is split into code points once, not on every value.
 */
export function compileGlob(pattern: string, options: GlobOptions, steps?: GlobSteps): (value: string) => boolean {
  const wild = pattern.includes("*") || (options.questionMark && pattern.includes("?"));
  if (!wild) {
    if (!options.caseInsensitive) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.toLowerCase() === lower;
  }
  const p = codePoints(pattern, options);
  return (value) => matchPoints(p, codePoints(value, options), options.questionMark, steps);
}
