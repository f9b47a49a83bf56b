// `fr.entente.objective.update` (folded like task updates: Lamport clock, `set` LWW per field,
// key results added/removed/patched by id, soft delete) and `fr.entente.objective.checkin`
// (append-only measurements of one key result; the latest in fold order is the current value).
import { SCHEMA_VERSION } from "./event-types.ts";
import { fail, isObject, ok, parseArray, parseFiniteNumber, parseString, type JsonObject, type Parsed } from "./parse.ts";
import { MAX_KEY_RESULTS, parseKeyResult, parseKeyResultPatch, parseObjectiveFieldSet, type KeyResult, type KeyResultPatch, type PartialObjectiveFields } from "./objective-root.ts";
import { parseUpdateEnvelope } from "./update-envelope.ts";

export interface KeyResultOps {
  add: KeyResult[];
  remove: string[];
  /** per key result id, the fields to change */
  set: Record<string, KeyResultPatch>;
}

export interface ObjectiveUpdate {
  version: number;
  root: string;
  clock: number;
  set: PartialObjectiveFields;
  keyResults: KeyResultOps;
  delete: boolean;
}

function parseKeyResultOps(value: unknown): Parsed<KeyResultOps> {
  if (value === undefined) return ok({ add: [], remove: [], set: {} });
  if (!isObject(value)) return fail("key_results must be an object");
  const add = value["add"] === undefined ? ok([]) : parseArray(value["add"], "key_results.add", MAX_KEY_RESULTS, parseKeyResult);
  if (!add.ok) return add;
  const remove = value["remove"] === undefined ? ok([]) : parseArray(value["remove"], "key_results.remove", MAX_KEY_RESULTS, (v, w) => parseString(v, w, 64));
  if (!remove.ok) return remove;
  const set: Record<string, KeyResultPatch> = {};
  if (value["set"] !== undefined) {
    if (!isObject(value["set"])) return fail("key_results.set must be an object");
    const entries = Object.entries(value["set"]);
    if (entries.length > MAX_KEY_RESULTS) return fail(`key_results.set has more than ${MAX_KEY_RESULTS} entries`);
    for (const [id, patch] of entries) {
      const p = parseKeyResultPatch(patch, `key_results.set.${id}`);
      if (!p.ok) return p;
      set[id] = p.value;
    }
  }
  return ok({ add: add.value, remove: remove.value, set });
}

export function parseObjectiveUpdate(raw: unknown): Parsed<ObjectiveUpdate> {
  const env = parseUpdateEnvelope(raw, SCHEMA_VERSION);
  if (!env.ok) return env;
  const { content, version, root, clock } = env.value;
  const setSource = content["set"] === undefined ? {} : content["set"];
  if (!isObject(setSource)) return fail("set must be an object");
  const set = parseObjectiveFieldSet(setSource, "set");
  if (!set.ok) return set;
  const krs = parseKeyResultOps(content["key_results"]);
  if (!krs.ok) return krs;
  if (content["delete"] !== undefined && typeof content["delete"] !== "boolean") return fail("delete must be a boolean");
  return ok({ version, root, clock, set: set.value, keyResults: krs.value, delete: content["delete"] === true });
}

export interface ObjectiveUpdateInput {
  root: string;
  clock: number;
  set?: PartialObjectiveFields;
  keyResults?: Partial<KeyResultOps>;
  delete?: boolean;
}

export function buildObjectiveUpdate(input: ObjectiveUpdateInput): JsonObject {
  const content: JsonObject = { version: SCHEMA_VERSION, "m.relates_to": { rel_type: "m.reference", event_id: input.root }, clock: input.clock };
  if (input.set !== undefined && Object.keys(input.set).length > 0) content["set"] = structuredClone(input.set);
  const ops = input.keyResults;
  if (ops !== undefined) {
    const wire: JsonObject = {};
    if (ops.add !== undefined && ops.add.length > 0) wire["add"] = ops.add.map((k) => ({ ...k }));
    if (ops.remove !== undefined && ops.remove.length > 0) wire["remove"] = [...ops.remove];
    if (ops.set !== undefined && Object.keys(ops.set).length > 0) wire["set"] = structuredClone(ops.set);
    if (Object.keys(wire).length > 0) content["key_results"] = wire;
  }
  if (input.delete === true) content["delete"] = true;
  return content;
}

export interface Checkin {
  version: number;
  root: string;
  clock: number;
  keyResult: string;
  value: number;
  note?: string;
}

export function parseCheckin(raw: unknown): Parsed<Checkin> {
  const env = parseUpdateEnvelope(raw, SCHEMA_VERSION);
  if (!env.ok) return env;
  const { content, version, root, clock } = env.value;
  const kr = parseString(content["key_result"], "key_result", 64);
  if (!kr.ok) return kr;
  const value = parseFiniteNumber(content["value"], "value");
  if (!value.ok) return value;
  const checkin: Checkin = { version, root, clock, keyResult: kr.value, value: value.value };
  if (content["note"] !== undefined) {
    const note = parseString(content["note"], "note", 2000, true);
    if (!note.ok) return note;
    checkin.note = note.value;
  }
  return ok(checkin);
}

export function buildCheckin(input: { root: string; clock: number; keyResult: string; value: number; note?: string }): JsonObject {
  const content: JsonObject = {
    version: SCHEMA_VERSION,
    "m.relates_to": { rel_type: "m.reference", event_id: input.root },
    clock: input.clock,
    key_result: input.keyResult,
    value: input.value,
  };
  if (input.note !== undefined) content["note"] = input.note;
  return content;
}
