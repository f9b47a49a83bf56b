// `fr.entente.event.update`: a change to an event, or its cancellation, as an m.reference to the
// root with a Lamport clock; folded like task updates (room-events.ts compareFoldOrder). Not an
// `m.replace` edit: those are valid only from the original sender, and a calendar has many editors
// (and a bot writing what CalDAV changed).
import { fail, isObject, ok, type JsonObject, type Parsed } from "../parse.ts";
import { parseUpdateEnvelope } from "../update-envelope.ts";
import { CALENDAR_SCHEMA_VERSION } from "./calendar-event-types.ts";
import { eventFieldsToWire, parseEventFieldSet, type PartialCalendarEventFields } from "./calendar-fields.ts";

export interface EventUpdate {
  version: number;
  root: string;
  clock: number;
  set: PartialCalendarEventFields;
  /** true: the event is cancelled (final; a later update cannot revive it) */
  cancel: boolean;
}

export function parseEventUpdate(raw: unknown): Parsed<EventUpdate> {
  const env = parseUpdateEnvelope(raw, CALENDAR_SCHEMA_VERSION);
  if (!env.ok) return env;
  const { content, version, root, clock } = env.value;
  const source = content["set"] ?? {};
  if (!isObject(source)) return fail("set must be an object");
  const set = parseEventFieldSet(source, "set");
  if (!set.ok) return set;
  if (set.value.summary === "") return fail("set.summary must not be empty");
  if (content["cancel"] !== undefined && typeof content["cancel"] !== "boolean") return fail("cancel must be a boolean");
  return ok({ version, root, clock, set: set.value, cancel: content["cancel"] === true });
}

export function buildEventUpdate(input: { root: string; clock: number; set?: PartialCalendarEventFields; cancel?: boolean }): JsonObject {
  const content: JsonObject = {
    version: CALENDAR_SCHEMA_VERSION,
    "m.relates_to": { rel_type: "m.reference", event_id: input.root },
    clock: input.clock,
  };
  if (input.set !== undefined && Object.keys(input.set).length > 0) content["set"] = eventFieldsToWire(input.set);
  if (input.cancel === true) content["cancel"] = true;
  return content;
}
