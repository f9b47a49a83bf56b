// A task update read for the fold without building it: `parseTaskUpdateOf` gives a `TaskUpdate`
// (a `Parsed` wrapper, the update, its `set` object, its checklist operations: five to ten objects
// per update, 20,000 updates for a large board); the fold only needs to apply it once, so it reads
// the update into one reusable `UpdateReading` instead. The quick checks accept a subset of what
// `parseTaskUpdateOf` accepts and read the same values; anything else, every invalid update
// included, goes to `parseTaskUpdateOf`, which gives the reason (or the value, copied in).
import { SCHEMA_VERSION } from "./event-types.ts";
import { isObject, type JsonObject } from "./parse.ts";
import { FieldRefused, LIMITS, NOT_A_FIELD, taskFieldValue, type ChecklistItem } from "./task-fields.ts";
import { MAX_CLOCK, parseTaskUpdateOf, plainChecklistItem, type TaskUpdate } from "./task-update.ts";

/**
 * The last update read, valid until the next read. Lists are filled up to their count (the
 * entries past it are stale), so reading an update allocates nothing but its new checklist items.
 */
export class UpdateReading {
  clock = 0;
  /** `set` fields in the order of the source's keys, with their parsed values */
  setKeys: string[] = [];
  setValues: unknown[] = [];
  setCount = 0;
  /** `set.assignees` when the update sets it (the permission check reads it) */
  assignees: string[] | undefined = undefined;
  adds: ChecklistItem[] = [];
  addCount = 0;
  removes: string[] = [];
  removeCount = 0;
  doneIds: string[] = [];
  doneValues: boolean[] = [];
  doneCount = 0;
  delete = false;
}

/** The checklist operations into `out`, or false when they are not on the quick path. */
function readChecklistOps(ops: unknown, out: UpdateReading): boolean {
  if (!isObject(ops)) return false;
  const add = ops["add"];
  if (add !== undefined) {
    if (!Array.isArray(add) || add.length > LIMITS.checklist) return false;
    for (let i = 0; i < add.length; i++) {
      const item = plainChecklistItem(add[i]);
      if (item === undefined) return false;
      out.adds[out.addCount++] = item;
    }
  }
  const remove = ops["remove"];
  if (remove !== undefined) {
    if (!Array.isArray(remove) || remove.length > LIMITS.checklist) return false;
    for (let i = 0; i < remove.length; i++) {
      const id: unknown = remove[i];
      if (typeof id !== "string" || id.length === 0 || id.length > LIMITS.itemId) return false;
      out.removes[out.removeCount++] = id;
    }
  }
  const done = ops["done"];
  if (done !== undefined) {
    if (!isObject(done)) return false;
    // own enumerable keys in Object.keys order, without the array Object.keys would allocate
    for (const id in done) {
      if (!Object.hasOwn(done, id)) continue;
      const d = done[id];
      if (typeof d !== "boolean" || out.doneCount === LIMITS.checklist) return false;
      out.doneIds[out.doneCount] = id;
      out.doneValues[out.doneCount++] = d;
    }
  }
  return true;
}

/** `parseTaskUpdateOf`'s value copied into `out`. */
function copyUpdate(u: TaskUpdate, out: UpdateReading): void {
  out.clock = u.clock;
  out.setCount = 0;
  for (const key of Object.keys(u.set)) {
    out.setKeys[out.setCount] = key;
    out.setValues[out.setCount++] = (u.set as Record<string, unknown>)[key];
  }
  out.assignees = u.set.assignees;
  out.addCount = 0;
  for (const item of u.checklist.add) out.adds[out.addCount++] = item;
  out.removeCount = 0;
  for (const id of u.checklist.remove) out.removes[out.removeCount++] = id;
  out.doneCount = 0;
  for (const id of Object.keys(u.checklist.done)) {
    out.doneIds[out.doneCount] = id;
    out.doneValues[out.doneCount++] = u.checklist.done[id] === true;
  }
  out.delete = u.delete;
}

/** What `parseTaskUpdateOf(content, root)` says, its value copied into `out`. */
function readSlowly(content: JsonObject, root: string, out: UpdateReading): string | undefined {
  const parsed = parseTaskUpdateOf(content, root);
  if (!parsed.ok) return parsed.reason;
  copyUpdate(parsed.value, out);
  return undefined;
}

/**
 * Reads the update `content` of the task `root` (its reference already checked) into `out`:
 * undefined when it is valid, else the reason `parseTaskUpdateOf` gives.
 */
export function readTaskUpdate(content: JsonObject, root: string, out: UpdateReading): string | undefined {
  const v = content["version"];
  if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= SCHEMA_VERSION)) return readSlowly(content, root, out);
  const c = content["clock"];
  if (!(typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= MAX_CLOCK)) return readSlowly(content, root, out);
  out.clock = c;
  out.setCount = 0;
  out.assignees = undefined;
  const set = content["set"];
  if (set !== undefined) {
    if (!isObject(set)) return readSlowly(content, root, out);
    for (const key in set) {
      const value = taskFieldValue(key, set[key]);
      if (value === NOT_A_FIELD) continue;
      if (value instanceof FieldRefused) return readSlowly(content, root, out);
      out.setKeys[out.setCount] = key;
      out.setValues[out.setCount++] = value;
      if (key === "assignees") out.assignees = value as string[];
    }
  }
  out.addCount = 0;
  out.removeCount = 0;
  out.doneCount = 0;
  const ops = content["checklist"];
  if (ops !== undefined && !readChecklistOps(ops, out)) return readSlowly(content, root, out);
  const del = content["delete"];
  if (del !== undefined && typeof del !== "boolean") return readSlowly(content, root, out);
  out.delete = del === true;
  return undefined;
}
