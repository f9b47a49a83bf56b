// `fr.entente.event.update`: a change to an event, or its cancellation, as an m.reference to the
// root with a Lamport clock; folded like task updates (room-events.ts compareFoldOrder). Not an
// `m.replace` edit: those are valid only from the original sender, and a calendar has many editors
// (and a bot writing what CalDAV changed).
import { fail, isObject, ok, parseReference, parseVersion, type JsonObject, type Parsed } from "../parse.ts";
import { parseClock } from "../task-update.ts";
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

export function parseEventUpdate(content: unknown): Parsed<EventUpdate> {
  if (!isObject(content)) return fail("content must be an object");
  const version = parseVersion(content["version"], CALENDAR_SCHEMA_VERSION);
  if (!version.ok) return version;
  const root = parseReference(content);
  if (!root.ok) return root;
  const clock = parseClock(content["clock"]);
  if (!clock.ok) return clock;
  const source = content["set"] ?? {};
  if (!isObject(source)) return fail("set must be an object");
  const set = parseEventFieldSet(source, "set");
  if (!set.ok) return set;
  if (set.value.summary === "") return fail("set.summary must not be empty");
  if (content["cancel"] !== undefined && typeof content["cancel"] !== "boolean") return fail("cancel must be a boolean");
  return ok({ version: version.value, root: root.value, clock: clock.value, set: set.value, cancel: content["cancel"] === true });
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
