// An objective root: `m.room.message` with msgtype `fr.entente.objective` (readable `body`), its
// fields under `fr.entente.objective`, and an m.reference to the objectives anchor. Updates fold
// exactly like task updates; measurements are separate, append-only check-ins.
import { parseTaskDate, formatTaskDateFr, type TaskDate } from "./dates.ts";
import { OBJECTIVE_CONTENT_KEY, OBJECTIVE_MSGTYPE, SCHEMA_VERSION } from "./event-types.ts";
import { fail, isObject, ok, parseArray, parseFiniteNumber, parseReference, parseString, parseUserId, parseVersion, type JsonObject, type Parsed } from "./parse.ts";

export const OBJECTIVE_STATUSES = ["on_track", "at_risk", "off_track", "achieved", "cancelled"] as const;
export type ObjectiveStatus = (typeof OBJECTIVE_STATUSES)[number];

export interface KeyResult {
  id: string;
  title: string;
  /** free text: "%", "dossiers", "€" */
  unit: string;
  start: number;
  target: number;
}

export interface Period {
  start: TaskDate;
  end: TaskDate;
}

export interface ObjectiveFieldValues {
  title: string;
  description: string | null;
  owner: string | null;
  period: Period | null;
  status: ObjectiveStatus;
}
export type ObjectiveField = keyof ObjectiveFieldValues;
export type PartialObjectiveFields = { [K in ObjectiveField]?: ObjectiveFieldValues[K] };
export type KeyResultPatch = Partial<Omit<KeyResult, "id">>;

export const MAX_KEY_RESULTS = 50;

function parsePeriod(value: unknown, what: string): Parsed<Period> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const start = parseTaskDate(value["start"], `${what}.start`);
  if (!start.ok) return start;
  const end = parseTaskDate(value["end"], `${what}.end`);
  return end.ok ? ok({ start: start.value, end: end.value }) : end;
}

const KR_PARSERS = {
  title: (v: unknown, w: string) => parseString(v, w, 500),
  unit: (v: unknown, w: string) => parseString(v, w, 50, true),
  start: parseFiniteNumber,
  target: parseFiniteNumber,
};

/** The key-result fields present in `value` (a patch in an update; parseKeyResult requires them all). */
export function parseKeyResultPatch(value: unknown, what: string): Parsed<KeyResultPatch> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [key, parse] of Object.entries(KR_PARSERS)) {
    if (value[key] === undefined) continue;
    const parsed = parse(value[key], `${what}.${key}`);
    if (!parsed.ok) return parsed;
    out[key] = parsed.value;
  }
  return ok(out as KeyResultPatch);
}

export function parseKeyResult(value: unknown, what: string): Parsed<KeyResult> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const id = parseString(value["id"], `${what}.id`, 64);
  if (!id.ok) return id;
  const patch = parseKeyResultPatch(value, what);
  if (!patch.ok) return patch;
  const { title, start, target } = patch.value;
  if (title === undefined || start === undefined || target === undefined) return fail(`${what} needs title, start and target`);
  return ok({ id: id.value, title, unit: patch.value.unit ?? "", start, target });
}

const nullable =
  <T>(parse: (v: unknown, what: string) => Parsed<T>) =>
  (v: unknown, what: string): Parsed<T | null> =>
    v === null ? ok(null) : parse(v, what);

const FIELD_PARSERS: { [K in ObjectiveField]: (v: unknown, what: string) => Parsed<ObjectiveFieldValues[K]> } = {
  title: (v, w) => parseString(v, w, 500),
  description: nullable((v, w) => parseString(v, w, 20_000, true)),
  owner: nullable(parseUserId),
  period: nullable(parsePeriod),
  status: (v, w) =>
    typeof v === "string" && (OBJECTIVE_STATUSES as readonly string[]).includes(v) ? ok(v as ObjectiveStatus) : fail(`${w} must be one of ${OBJECTIVE_STATUSES.join(", ")}`),
};
const OBJECTIVE_FIELDS = Object.keys(FIELD_PARSERS) as ObjectiveField[];

/** Known fields present in `source`; unknown keys ignored, one bad field fails the whole set. */
export function parseObjectiveFieldSet(source: JsonObject, what: string): Parsed<PartialObjectiveFields> {
  const out: Record<string, unknown> = {};
  for (const field of OBJECTIVE_FIELDS) {
    if (!(field in source)) continue;
    const parsed = FIELD_PARSERS[field](source[field], `${what}.${field}`);
    if (!parsed.ok) return parsed;
    out[field] = parsed.value;
  }
  return ok(out as PartialObjectiveFields);
}

export function parseKeyResults(value: unknown, what: string): Parsed<KeyResult[]> {
  const krs = parseArray(value, what, MAX_KEY_RESULTS, parseKeyResult);
  if (!krs.ok) return krs;
  if (new Set(krs.value.map((k) => k.id)).size !== krs.value.length) return fail(`${what} has duplicate ids`);
  return krs;
}

export interface ObjectiveRoot {
  version: number;
  anchor: string;
  fields: ObjectiveFieldValues;
  keyResults: KeyResult[];
}

export const OBJECTIVE_DEFAULTS: ObjectiveFieldValues = { title: "", description: null, owner: null, period: null, status: "on_track" };

export function parseObjectiveRoot(content: unknown): Parsed<ObjectiveRoot> {
  if (!isObject(content)) return fail("content must be an object");
  if (content["msgtype"] !== OBJECTIVE_MSGTYPE) return fail(`msgtype is not ${OBJECTIVE_MSGTYPE}`);
  const o = content[OBJECTIVE_CONTENT_KEY];
  if (!isObject(o)) return fail(`no ${OBJECTIVE_CONTENT_KEY} object`);
  const version = parseVersion(o["version"], SCHEMA_VERSION);
  if (!version.ok) return version;
  const anchor = parseReference(content);
  if (!anchor.ok) return anchor;
  if (!("title" in o)) return fail("objective has no title");
  const fields = parseObjectiveFieldSet(o, OBJECTIVE_CONTENT_KEY);
  if (!fields.ok) return fields;
  const krs = o["key_results"] === undefined ? ok([]) : parseKeyResults(o["key_results"], `${OBJECTIVE_CONTENT_KEY}.key_results`);
  if (!krs.ok) return krs;
  return ok({ version: version.value, anchor: anchor.value, fields: { ...OBJECTIVE_DEFAULTS, ...fields.value }, keyResults: krs.value });
}

/** "🎯 Objectif : Réduire les délais (du 01/01/2025 au 31/12/2025)" */
export function objectiveBody(fields: Pick<ObjectiveFieldValues, "title"> & PartialObjectiveFields): string {
  let body = `🎯 Objectif : ${fields.title}`;
  if (fields.period) body += ` (du ${formatTaskDateFr(fields.period.start)} au ${formatTaskDateFr(fields.period.end)})`;
  return body;
}

export type ObjectiveRootInput = { anchor: string; title: string; keyResults?: KeyResult[] } & Omit<PartialObjectiveFields, "title">;

export function buildObjectiveRoot(input: ObjectiveRootInput): JsonObject {
  const { anchor, keyResults, ...fields } = input;
  const o: JsonObject = { version: SCHEMA_VERSION, ...structuredClone(fields) };
  if (keyResults !== undefined && keyResults.length > 0) o["key_results"] = keyResults.map((k) => ({ ...k }));
  return {
    msgtype: OBJECTIVE_MSGTYPE,
    body: objectiveBody(fields),
    [OBJECTIVE_CONTENT_KEY]: o,
    "m.relates_to": { rel_type: "m.reference", event_id: anchor },
  };
}
