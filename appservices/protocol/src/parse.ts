// Small hand-written parsing helpers: every schema in this package turns `unknown` (content from a
// room, possibly from another council's server or an old client) into a typed value or a reason.
// Readers must never throw on foreign input, so parsers return values, not exceptions.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T = never>(reason: string): Parsed<T> => ({ ok: false, reason });

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Bounded string: rejects non-strings, empty strings (unless allowed) and over-long ones. */
export function parseString(value: unknown, what: string, max: number, allowEmpty = false): Parsed<string> {
  if (typeof value !== "string") return fail(`${what} must be a string`);
  if (!allowEmpty && value.length === 0) return fail(`${what} must not be empty`);
  if (value.length > max) return fail(`${what} is longer than ${max} characters`);
  return ok(value);
}

// https://spec.matrix.org/v1.16/appendices/#user-identifiers (historical ids allowed: any server name)
const USER_ID = /^@[^:\s]+:[^\s]+$/;
// https://spec.matrix.org/v1.16/appendices/#event-ids
const EVENT_ID = /^\$[^\s]+$/;

/** A Matrix user id (historical grammar: any server name), at most 255 characters. */
export const isUserId = (value: string): boolean => value.length <= 255 && USER_ID.test(value);

export function parseUserId(value: unknown, what: string): Parsed<string> {
  if (typeof value !== "string" || !isUserId(value)) return fail(`${what} must be a Matrix user id`);
  return ok(value);
}

export function parseEventId(value: unknown, what: string): Parsed<string> {
  if (typeof value !== "string" || value.length > 255 || !EVENT_ID.test(value)) return fail(`${what} must be an event id`);
  return ok(value);
}

/** Integer within [min, max]; power levels and priorities are integers on the wire. */
export function parseInteger(value: unknown, what: string, min: number, max: number): Parsed<number> {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    return fail(`${what} must be an integer between ${min} and ${max}`);
  }
  return ok(value);
}

export function parseFiniteNumber(value: unknown, what: string): Parsed<number> {
  if (typeof value !== "number" || !Number.isFinite(value)) return fail(`${what} must be a finite number`);
  return ok(value);
}

/** Array of at most `max` items, each parsed by `item`; the first bad item fails the whole array. */
export function parseArray<T>(value: unknown, what: string, max: number, item: (v: unknown, what: string) => Parsed<T>): Parsed<T[]> {
  if (!Array.isArray(value)) return fail(`${what} must be an array`);
  if (value.length > max) return fail(`${what} has more than ${max} items`);
  const out: T[] = [];
  for (let i = 0; i < value.length; i++) {
    // Item parsers start their reasons with the `what` they are given; giving "" and prefixing the
    // path on failure keeps valid input free of string building.
    const parsed = item(value[i], "");
    if (!parsed.ok) return fail(`${what}[${i}]${parsed.reason}`);
    out.push(parsed.value);
  }
  return ok(out);
}

/** Array of distinct strings (labels, assignees): duplicates are dropped, keeping the first. */
export function parseStringSet(value: unknown, what: string, max: number, item: (v: unknown, what: string) => Parsed<string>): Parsed<string[]> {
  const parsed = parseArray(value, what, max, item);
  if (!parsed.ok) return parsed;
  return ok([...new Set(parsed.value)]);
}

/**
 * Schema version gate. A reader that meets a version it does not know skips the event rather than
 * guessing: a newer writer may have changed a field's meaning. Missing means 1, the first version.
 */
export function parseVersion(value: unknown, supported: number): Parsed<number> {
  if (value === undefined) return ok(1);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) return fail("version must be a positive integer");
  if (value > supported) return fail(`unknown schema version ${value} (this reader knows up to ${supported})`);
  return ok(value);
}

/** Reads `m.relates_to` of rel_type m.reference and returns the referenced event id. */
export function parseReference(content: JsonObject): Parsed<string> {
  const relation = content["m.relates_to"];
  if (!isObject(relation)) return fail("no m.relates_to");
  if (relation["rel_type"] !== "m.reference") return fail("m.relates_to is not an m.reference");
  return parseEventId(relation["event_id"], "m.relates_to.event_id");
}
