// The fields of a task, as found under `fr.entente.task` in a root and in an update's `set`.
// One parser per field, shared by both, so a value is valid in a root iff it is valid in an update.
import { parseTaskDate, type TaskDate } from "./dates.ts";
import { fail, isObject, isUserId, ok, parseArray, parseEventId, parseInteger, parseString, parseStringSet, parseUserId, type JsonObject, type Parsed } from "./parse.ts";

export const TASK_STATUSES = ["todo", "doing", "blocked", "done", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
}

/** Reminder `before` the due date, as an RFC 5545 duration ("P1D", "PT2H", "P1W"). */
export interface Reminder {
  before: string;
}

/** Fields an update may set. `null` in an update's `set` clears an optional field. */
export interface TaskFieldValues {
  title: string;
  description: string | null;
  status: TaskStatus;
  assignees: string[];
  due: TaskDate | null;
  start: TaskDate | null;
  /** RFC 5545 PRIORITY: 0 undefined, 1 highest … 9 lowest */
  priority: number;
  labels: string[];
  column: string | null;
  /** fractional index: tasks of a column sort by rank, compared as strings by code unit */
  rank: string | null;
  reminders: Reminder[];
  parent: string | null;
  objective: string | null;
}
export type TaskField = keyof TaskFieldValues;

export const LIMITS = { title: 500, description: 20_000, assignees: 50, labels: 30, label: 100, checklist: 200, itemText: 1000, itemId: 64, reminders: 10, column: 64, rank: 128 } as const;

export function parseTaskStatus(value: unknown, what: string): Parsed<TaskStatus> {
  return typeof value === "string" && (TASK_STATUSES as readonly string[]).includes(value)
    ? ok(value as TaskStatus)
    : fail(`${what} must be one of ${TASK_STATUSES.join(", ")}`);
}

// RFC 5545 dur-value, positive only (reminders are before the due date): P1W, P1DT2H, PT30M.
const DURATION = /^P(?:\d{1,4}W|(?=\d|T\d)(?:\d{1,4}D)?(?:T(?=\d)(?:\d{1,4}H)?(?:\d{1,4}M)?(?:\d{1,4}S)?)?)$/;

function parseReminder(value: unknown, what: string): Parsed<Reminder> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const before = value["before"];
  if (typeof before !== "string" || !DURATION.test(before)) return fail(`${what}.before must be an RFC 5545 duration such as P1D or PT2H`);
  return ok({ before });
}

export function parseChecklistItem(value: unknown, what: string): Parsed<ChecklistItem> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const id = parseString(value["id"], `${what}.id`, LIMITS.itemId);
  if (!id.ok) return id;
  const text = parseString(value["text"], `${what}.text`, LIMITS.itemText);
  if (!text.ok) return text;
  if (value["done"] !== undefined && typeof value["done"] !== "boolean") return fail(`${what}.done must be a boolean`);
  return ok({ id: id.value, text: text.value, done: value["done"] === true });
}

/** Whether two items share an id: compared pairwise for a short list (no Set per task root), with a Set beyond. */
function hasDuplicateIds(items: readonly ChecklistItem[]): boolean {
  if (items.length > 16) return new Set(items.map((i) => i.id)).size !== items.length;
  for (let i = 1; i < items.length; i++) for (let j = 0; j < i; j++) if (items[j]!.id === items[i]!.id) return true;
  return false;
}

export function parseChecklist(value: unknown, what: string): Parsed<ChecklistItem[]> {
  const items = parseArray(value, what, LIMITS.checklist, parseChecklistItem);
  if (!items.ok) return items;
  if (hasDuplicateIds(items.value)) return fail(`${what} has duplicate item ids`);
  return items;
}

const nullable =
  <T>(parse: (v: unknown, what: string) => Parsed<T>) =>
  (v: unknown, what: string): Parsed<T | null> =>
    v === null ? ok(null) : parse(v, what);

const FIELD_PARSERS: { [K in TaskField]: (v: unknown, what: string) => Parsed<TaskFieldValues[K]> } = {
  title: (v, w) => parseString(v, w, LIMITS.title),
  description: nullable((v, w) => parseString(v, w, LIMITS.description, true)),
  status: parseTaskStatus,
  assignees: (v, w) => parseStringSet(v, w, LIMITS.assignees, parseUserId),
  due: nullable(parseTaskDate),
  start: nullable(parseTaskDate),
  priority: (v, w) => parseInteger(v, w, 0, 9),
  labels: (v, w) => parseStringSet(v, w, LIMITS.labels, (x, wx) => parseString(x, wx, LIMITS.label)),
  column: nullable((v, w) => parseString(v, w, LIMITS.column)),
  rank: nullable((v, w) => parseString(v, w, LIMITS.rank)),
  reminders: (v, w) => parseArray(v, w, LIMITS.reminders, parseReminder),
  parent: nullable(parseEventId),
  objective: nullable(parseEventId),
};

// Fast paths for the values boards are full of (a status, a rank, a short list of ids): they
// accept a SUBSET of what FIELD_PARSERS accept and return the same values, without the Parsed
// wrappers; anything else (including every invalid value) goes to FIELD_PARSERS, which says why.
const NOPE: unique symbol = Symbol("not on the fast path");
const STATUS_SET: ReadonlySet<string> = new Set(TASK_STATUSES);
const fastString = (v: unknown, max: number): string | typeof NOPE => (typeof v === "string" && v.length > 0 && v.length <= max ? v : NOPE);
/** Distinct strings in first-occurrence order, as parseStringSet returns them. */
function fastStringSet(v: unknown, max: number, item: (x: string) => boolean): string[] | typeof NOPE {
  if (!Array.isArray(v) || v.length > max) return NOPE;
  let distinct = true;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== "string" || !item(x)) return NOPE;
    for (let j = 0; j < i && distinct; j++) if (v[j] === x) distinct = false;
  }
  // A copy of the exact size when there is nothing to drop (the usual case): `[]` and `push`
  // would allocate twice, the second time room for 17 (2,000 roots and their updates on a board).
  if (distinct) return v.slice() as string[];
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) if (!out.includes(v[i] as string)) out.push(v[i] as string);
  return out;
}
const FAST_PARSERS: { [K in TaskField]?: (v: unknown) => TaskFieldValues[K] | typeof NOPE } = {
  status: (v) => (typeof v === "string" && STATUS_SET.has(v) ? (v as TaskStatus) : NOPE),
  title: (v) => fastString(v, LIMITS.title),
  column: (v) => (v === null ? null : fastString(v, LIMITS.column)),
  rank: (v) => (v === null ? null : fastString(v, LIMITS.rank)),
  priority: (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 9 ? v : NOPE),
  assignees: (v) => fastStringSet(v, LIMITS.assignees, isUserId),
  labels: (v) => fastStringSet(v, LIMITS.labels, (x) => x.length > 0 && x.length <= LIMITS.label),
};

export const TASK_FIELDS = Object.keys(FIELD_PARSERS) as TaskField[];

/** A known field's parsers: `fast` (when it has one) first, `parse` for anything it does not take. */
interface FieldParsers {
  parse: (v: unknown, what: string) => Parsed<unknown>;
  fast: ((v: unknown) => unknown) | undefined;
}
// One lookup per key of a `set` (the fold parses 20,000 updates for a large board).
const PARSERS_BY_KEY = new Map<string, FieldParsers>(TASK_FIELDS.map((f) => [f, { parse: FIELD_PARSERS[f], fast: FAST_PARSERS[f] }]));

export type PartialTaskFields = { [K in TaskField]?: TaskFieldValues[K] };

/** Returned by `taskFieldValue` for a key that is not a task field (ignored: forward compatibility). */
export const NOT_A_FIELD: unique symbol = Symbol("not a task field");

/** Why a known field's value was refused, as `parseTaskFieldSet` words it after its `what.` prefix. */
export class FieldRefused {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/**
 * One key of a field set: its parsed value, `NOT_A_FIELD`, or why it was refused (the only
 * allocation, and only on failure). One lookup finds both parsers; the fast one takes the common
 * values, the generic one the rest and says what is wrong.
 */
export function taskFieldValue(key: string, value: unknown): unknown {
  const parsers = PARSERS_BY_KEY.get(key);
  if (parsers === undefined) return NOT_A_FIELD;
  const fast = parsers.fast === undefined ? NOPE : parsers.fast(value);
  if (fast !== NOPE) return fast;
  // The path is built only on failure: valid input (the common case) allocates no strings.
  const parsed = parsers.parse(value, key);
  return parsed.ok ? parsed.value : new FieldRefused(parsed.reason);
}

/**
 * Parses the known fields present in `source`; unknown keys are ignored (a later minor revision may
 * add fields old readers can skip). One malformed known field fails the whole object, so an event
 * is applied entirely or not at all.
 */
export function parseTaskFieldSet(source: JsonObject, what: string): Parsed<PartialTaskFields> {
  const out: Record<string, unknown> = {};
  // Walks the source's keys (an update sets one or two fields) rather than every known field:
  // the fold parses 20,000 updates for a large board.
  for (const key in source) {
    const v = taskFieldValue(key, source[key]);
    if (v === NOT_A_FIELD) continue;
    if (v instanceof FieldRefused) return fail(`${what}.${v.reason}`);
    out[key] = v;
  }
  return ok(out as PartialTaskFields);
}

/** Wire form of a field set (wire keys are the field names; dates and items are already JSON). */
export function taskFieldsToWire(fields: PartialTaskFields): JsonObject {
  const out: JsonObject = {};
  for (const field of TASK_FIELDS) {
    const v = fields[field];
    if (v !== undefined) out[field] = structuredClone(v);
  }
  return out;
}
