// `fr.entente.task.update`: a change to a task, an m.reference to its root. Not an edit
// (`m.replace`): the spec accepts edits only from the original sender, and tasks are changed by
// many people. https://spec.matrix.org/v1.16/client-server-api/#validity-of-replacement-events
import { SCHEMA_VERSION } from "./event-types.ts";
import { fail, isObject, ok, parseArray, parseInteger, parseReference, parseString, parseVersion, type JsonObject, type Parsed } from "./parse.ts";
import { LIMITS, parseChecklistItem, parseTaskFieldSet, taskFieldsToWire, type ChecklistItem, type PartialTaskFields } from "./task-fields.ts";

/** Checklist operations by item id: additions merge, removals are final, `done` is per item LWW. */
export interface ChecklistOps {
  add: ChecklistItem[];
  remove: string[];
  done: Record<string, boolean>;
}

export interface TaskUpdate {
  version: number;
  root: string;
  clock: number;
  set: PartialTaskFields;
  checklist: ChecklistOps;
  delete: boolean;
}

export const MAX_CLOCK = Number.MAX_SAFE_INTEGER;

export function parseClock(value: unknown): Parsed<number> {
  return parseInteger(value, "clock", 0, MAX_CLOCK);
}

// Shared by the many updates without checklist operations; the fold only reads it.
const NO_CHECKLIST_OPS: ChecklistOps = Object.freeze({ add: [], remove: [], done: {} });
const NO_SET: JsonObject = Object.freeze({});

/** One `checklist.add` item exactly as `parseChecklistItem` accepts it, or undefined (it says why). */
export function plainChecklistItem(value: unknown): ChecklistItem | undefined {
  if (!isObject(value)) return undefined;
  const id = value["id"];
  const text = value["text"];
  const done = value["done"];
  if (typeof id !== "string" || id.length === 0 || id.length > LIMITS.itemId) return undefined;
  if (typeof text !== "string" || text.length === 0 || text.length > LIMITS.itemText) return undefined;
  if (done !== undefined && typeof done !== "boolean") return undefined;
  return { id, text, done: done === true };
}

function parseAdds(value: unknown): Parsed<ChecklistItem[]> {
  if (value === undefined) return ok([]);
  // The items checked inline (no Parsed wrapper per item); the generic parser runs only to say
  // why an array does not pass.
  if (Array.isArray(value) && value.length <= LIMITS.checklist) {
    const out: ChecklistItem[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = plainChecklistItem(value[i]);
      if (item === undefined) break;
      out.push(item);
    }
    if (out.length === value.length) return ok(out);
  }
  return parseArray(value, "checklist.add", LIMITS.checklist, parseChecklistItem);
}

function parseRemoves(value: unknown): Parsed<string[]> {
  if (value === undefined) return ok([]);
  if (Array.isArray(value) && value.length <= LIMITS.checklist) {
    const out: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const id: unknown = value[i];
      if (typeof id !== "string" || id.length === 0 || id.length > LIMITS.itemId) break;
      out.push(id);
    }
    if (out.length === value.length) return ok(out);
  }
  return parseArray(value, "checklist.remove", LIMITS.checklist, (v, w) => parseString(v, w, LIMITS.itemId));
}

function parseChecklistOps(value: unknown): Parsed<ChecklistOps> {
  if (value === undefined) return ok(NO_CHECKLIST_OPS);
  if (!isObject(value)) return fail("checklist must be an object");
  const add = parseAdds(value["add"]);
  if (!add.ok) return add;
  const remove = parseRemoves(value["remove"]);
  if (!remove.ok) return remove;
  const done: Record<string, boolean> = {};
  if (value["done"] !== undefined) {
    if (!isObject(value["done"])) return fail("checklist.done must be an object");
    const source = value["done"];
    const ids = Object.keys(source);
    if (ids.length > LIMITS.checklist) return fail(`checklist.done has more than ${LIMITS.checklist} entries`);
    for (const id of ids) {
      const d = source[id];
      if (typeof d !== "boolean") return fail(`checklist.done.${id} must be a boolean`);
      // ids are chosen by the sender: "__proto__" is an id like any other, so it is defined as an
      // own key (a plain assignment would set the prototype); every other id is simply assigned
      // (defineProperty is a slow runtime call, and 30 % of a large board's updates carry `done`).
      if (id === "__proto__") Object.defineProperty(done, id, { value: d, enumerable: true, writable: true, configurable: true });
      else done[id] = d;
    }
  }
  return ok({ add: add.value, remove: remove.value, done });
}

const EVENT_ID = /^\$[^\s]+$/;

/** The referenced event when `m.relates_to` is a well-formed m.reference, else undefined (parseReference says why). */
export function referencedEventId(content: JsonObject): string | undefined {
  const id = referenceTarget(content);
  return typeof id === "string" && isReferenceId(id) ? id : undefined;
}

/** `m.relates_to.event_id` of an m.reference, unchecked (`isReferenceId` checks it). */
export function referenceTarget(content: JsonObject): unknown {
  const rel = content["m.relates_to"];
  return isObject(rel) && rel["rel_type"] === "m.reference" ? rel["event_id"] : undefined;
}

/** Whether a reference's target is a well-formed event id, as `parseReference` judges it. */
export function isReferenceId(id: string): boolean {
  return id.length <= 255 && EVENT_ID.test(id);
}

export function parseTaskUpdate(content: unknown): Parsed<TaskUpdate> {
  return parseTaskUpdateOf(content, undefined);
}

/**
 * `parseTaskUpdate` for a caller that already read the reference with `referencedEventId`
 * (`knownRoot`): the same checks in the same order, the reference not read twice.
 */
export function parseTaskUpdateOf(content: unknown, knownRoot: string | undefined): Parsed<TaskUpdate> {
  if (!isObject(content)) return fail("content must be an object");
  // Fast paths for the common valid case (the fold parses 20,000 updates for a large board): the
  // generic parsers, with their reasons, run only when the quick check fails, in the same order.
  const v = content["version"];
  let version: number;
  if (v === undefined) version = 1;
  else if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= SCHEMA_VERSION) version = v;
  else {
    const p = parseVersion(v, SCHEMA_VERSION);
    if (!p.ok) return p;
    version = p.value;
  }
  let root = knownRoot ?? referencedEventId(content);
  if (root === undefined) {
    const p = parseReference(content);
    if (!p.ok) return p;
    root = p.value;
  }
  const c = content["clock"];
  let clock: number;
  if (typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= MAX_CLOCK) clock = c;
  else {
    const p = parseClock(c);
    if (!p.ok) return p;
    clock = p.value;
  }
  const setSource = content["set"] === undefined ? NO_SET : content["set"];
  if (!isObject(setSource)) return fail("set must be an object");
  const set = parseTaskFieldSet(setSource, "set");
  if (!set.ok) return set;
  const checklist = parseChecklistOps(content["checklist"]);
  if (!checklist.ok) return checklist;
  if (content["delete"] !== undefined && typeof content["delete"] !== "boolean") return fail("delete must be a boolean");
  return ok({ version, root, clock, set: set.value, checklist: checklist.value, delete: content["delete"] === true });
}

export interface TaskUpdateInput {
  root: string;
  clock: number;
  set?: PartialTaskFields;
  checklist?: Partial<ChecklistOps>;
  delete?: boolean;
}

export function buildTaskUpdate(input: TaskUpdateInput): JsonObject {
  const content: JsonObject = {
    version: SCHEMA_VERSION,
    "m.relates_to": { rel_type: "m.reference", event_id: input.root },
    clock: input.clock,
  };
  if (input.set !== undefined && Object.keys(input.set).length > 0) content["set"] = taskFieldsToWire(input.set);
  const ops = input.checklist;
  if (ops !== undefined) {
    const wire: JsonObject = {};
    if (ops.add !== undefined && ops.add.length > 0) wire["add"] = ops.add.map((i) => ({ ...i }));
    if (ops.remove !== undefined && ops.remove.length > 0) wire["remove"] = [...ops.remove];
    if (ops.done !== undefined && Object.keys(ops.done).length > 0) wire["done"] = { ...ops.done };
    if (Object.keys(wire).length > 0) content["checklist"] = wire;
  }
  if (input.delete === true) content["delete"] = true;
  return content;
}
