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

function parseChecklistOps(value: unknown): Parsed<ChecklistOps> {
  if (value === undefined) return ok(NO_CHECKLIST_OPS);
  if (!isObject(value)) return fail("checklist must be an object");
  const add = value["add"] === undefined ? ok([]) : parseArray(value["add"], "checklist.add", LIMITS.checklist, parseChecklistItem);
  if (!add.ok) return add;
  const remove = value["remove"] === undefined ? ok([]) : parseArray(value["remove"], "checklist.remove", LIMITS.checklist, (v, w) => parseString(v, w, LIMITS.itemId));
  if (!remove.ok) return remove;
  const done: Record<string, boolean> = {};
  if (value["done"] !== undefined) {
    if (!isObject(value["done"])) return fail("checklist.done must be an object");
    const entries = Object.entries(value["done"]);
    if (entries.length > LIMITS.checklist) return fail(`checklist.done has more than ${LIMITS.checklist} entries`);
    for (const [id, d] of entries) {
      if (typeof d !== "boolean") return fail(`checklist.done.${id} must be a boolean`);
      done[id] = d;
    }
  }
  return ok({ add: add.value, remove: remove.value, done });
}

export function parseTaskUpdate(content: unknown): Parsed<TaskUpdate> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], SCHEMA_VERSION);
  if (!version.ok) return version;
  const root = parseReference(content);
  if (!root.ok) return root;
  const clock = parseClock(content["clock"]);
  if (!clock.ok) return clock;
  const setSource = content["set"] === undefined ? {} : content["set"];
  if (!isObject(setSource)) return fail("set must be an object");
  const set = parseTaskFieldSet(setSource, "set");
  if (!set.ok) return set;
  const checklist = parseChecklistOps(content["checklist"]);
  if (!checklist.ok) return checklist;
  if (content["delete"] !== undefined && typeof content["delete"] !== "boolean") return fail("delete must be a boolean");
  return ok({ version: version.value, root: root.value, clock: clock.value, set: set.value, checklist: checklist.value, delete: content["delete"] === true });
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
