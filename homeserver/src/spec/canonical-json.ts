// Canonical JSON: the byte form that is hashed and signed everywhere in Matrix.
// Spec: https://spec.matrix.org/v1.16/appendices/#canonical-json
// Room versions 6+ enforce it strictly: https://spec.matrix.org/v1.16/rooms/v6/#canonical-json
import { jsonNestingDepth, MAX_FEDERATION_JSON_DEPTH } from "./json-limits.ts";

/** A value cannot be represented in (or parsed as) canonical JSON. */
export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CanonicalJsonError";
  }
}

/** Integers must lie in [-(2^53)+1, 2^53-1], i.e. JS safe integers. */
const isCanonicalInteger = (n: number): boolean => Number.isSafeInteger(n);

/**
 * Orders strings by Unicode code point. `<` on JS strings compares UTF-16 code units, which
 * puts astral characters (surrogates D800–DFFF) before U+E000–U+FFFF; code point order puts
 * them after. Only the first differing unit matters, and only in that one range.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

// Moves surrogates above U+E000–U+FFFF so unit comparison matches code point comparison.
const fixup = (c: number): number => (c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c);

/**
 * Encodes a JSON value as canonical JSON (a JS string; encode as UTF-8 for the bytes).
 * Throws `CanonicalJsonError` on floats, NaN/±Infinity, integers outside the safe range,
 * lone surrogates, cycles, and anything that is not null/boolean/number/string/array/plain
 * object. `-0` is written as `0` (spec example). Object members whose value is `undefined`
 * are skipped, as JSON.stringify does; `undefined` elsewhere is an error.
 */
export function canonicalJson(value: unknown): string {
  try {
    return encode(value, new Set<object>());
  } catch (err) {
    if (err instanceof Problem) throw new CanonicalJsonError(`$${err.where.reverse().join("")}: ${err.message}`);
    throw err;
  }
}

/**
 * A refusal on its way up: each container it crosses adds its member's step (".key", "[i]"), so
 * the happy path builds no path strings (3.3 -> 2.4 µs of CPU per PDU-sized object, micro-benchmark).
 */
class Problem extends Error {
  readonly where: string[] = [];
}

function encode(value: unknown, stack: Set<object>): string {
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!isCanonicalInteger(value)) throw new Problem(`${String(value)} is not an integer in the canonical range`);
      return String(value); // String(-0) === "0"
    case "string":
      return encodeString(value);
    case "object":
      if (value === null) return "null";
      return encodeContainer(value, stack);
    default:
      throw new Problem(`${typeof value} is not a JSON value`);
  }
}

function encodeString(s: string): string {
  // A lone surrogate has no UTF-8 encoding; JSON.stringify would emit a `\udXXX` escape,
  // which the canonical grammar does not allow.
  if (!s.isWellFormed()) throw new Problem("string contains a lone surrogate");
  // JSON.stringify emits exactly the grammar's escapes: \b \t \n \f \r \" \\ and lower-case
  // \u00xx for other controls; everything else (incl. U+007F, U+2028) raw.
  return JSON.stringify(s);
}

function encodeContainer(value: object, stack: Set<object>): string {
  if (stack.has(value)) throw new Problem("cyclic structure");
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      let out = "[";
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out += ",";
        try {
          out += encode(value[i], stack);
        } catch (err) {
          if (err instanceof Problem) err.where.push(`[${i}]`);
          throw err;
        }
      }
      return out + "]";
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Problem("not a plain object");
    const record = value as Record<string, unknown>;
    let out = "{";
    let first = true;
    for (const key of Object.keys(record).sort(compareCodePoints)) {
      const v = record[key];
      if (v === undefined) continue;
      // a key's lone surrogate is reported at the object holding it, as before
      const k = encodeString(key);
      try {
        out += (first ? "" : ",") + k + ":" + encode(v, stack);
      } catch (err) {
        if (err instanceof Problem) err.where.push(`.${key}`);
        throw err;
      }
      first = false;
    }
    return out + "}";
  } finally {
    stack.delete(value);
  }
}

/** Raw JSON number text allowed by the canonical grammar (`-0` too: it denotes the integer 0). */
const INTEGER_TEXT = /^-?(?:0|[1-9][0-9]*)$/;

interface ReviverContext {
  readonly source?: string;
}

/**
 * Parses JSON text, rejecting every number that canonical JSON cannot carry: fractions,
 * exponents (even `1e10`), and integers outside the safe range. The check reads the raw
 * number text (JSON.parse source access), because JSON.parse itself silently rounds
 * 9007199254740993 to 9007199254740992. Throws `CanonicalJsonError` on syntax errors too.
 * Duplicate object keys are not detected (the last one wins, as in JSON.parse).
 * Nesting deeper than `maxDepth` is refused before parsing (spec/json-limits.ts).
 */
export function parseStrictJson(text: string, maxDepth = MAX_FEDERATION_JSON_DEPTH): unknown {
  // JSON.parse with a reviver recurses: deep input would surface V8's stack overflow text
  if (jsonNestingDepth(text, maxDepth) > maxDepth) throw new CanonicalJsonError(`invalid JSON: nested deeper than ${maxDepth} levels`);
  const reviver = (key: string, value: unknown, context?: ReviverContext): unknown => {
    if (typeof value === "number") checkNumberText(key, value, context?.source);
    return value;
  };
  try {
    return JSON.parse(text, reviver);
  } catch (err) {
    if (err instanceof CanonicalJsonError) throw err;
    throw new CanonicalJsonError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function checkNumberText(key: string, value: number, source: string | undefined): void {
  const where = key === "" ? "top-level value" : `value of "${key}"`;
  if (source === undefined) {
    // Source access is always present on Node 24; without it, still refuse what we can see.
    if (!isCanonicalInteger(value)) throw new CanonicalJsonError(`${where}: ${value} is not a canonical integer`);
    return;
  }
  if (!INTEGER_TEXT.test(source)) {
    throw new CanonicalJsonError(`${where}: number ${source} has a fraction or exponent`);
  }
  if (!isCanonicalInteger(value)) {
    throw new CanonicalJsonError(`${where}: integer ${source} is outside [-(2^53)+1, 2^53-1]`);
  }
}
