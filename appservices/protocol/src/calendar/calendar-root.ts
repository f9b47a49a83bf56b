// An event (or series) root: an `m.room.message` with msgtype `fr.entente.event`, so Element and any
// other client show its French `body`, carrying the fields under `fr.entente.event` and an
// m.reference to the binding's anchor, so `GET /relations/{anchor}/m.reference` lists the calendar.
// https://spec.matrix.org/v1.16/client-server-api/#reference-relations
import { fail, isObject, ok, parseReference, parseString, parseVersion, type JsonObject, type Parsed } from "../parse.ts";
import { eventBodyFr } from "./calendar-body.ts";
import { CALENDAR_SCHEMA_VERSION, EVENT_CONTENT_KEY, EVENT_MSGTYPE } from "./calendar-event-types.ts";
import { EVENT_DEFAULTS, eventFieldsToWire, parseEventFieldSet, type CalendarEventFields, type EventOrigin } from "./calendar-fields.ts";

export interface EventRoot {
  version: number;
  anchor: string;
  /** iCalendar UID: the identity shared with CalDAV (the object's href is derived from it) */
  uid: string;
  origin: EventOrigin;
  fields: CalendarEventFields;
}

// RFC 5545 allows any text; we keep printable ASCII without "/" so an href can be derived from it.
const UID = /^[\x21-\x2e\x30-\x7e]{1,255}$/;

export function parseUid(value: unknown, what = "uid"): Parsed<string> {
  if (typeof value !== "string" || !UID.test(value)) return fail(`${what} must be 1-255 printable ASCII characters without "/" or spaces`);
  return ok(value);
}

function parseOrigin(value: unknown): Parsed<EventOrigin> {
  if (value === undefined) return ok({ source: "matrix" });
  if (!isObject(value)) return fail("origin must be an object");
  if (value["source"] === "matrix") return ok({ source: "matrix" });
  if (value["source"] !== "caldav") return fail("origin.source must be matrix or caldav");
  const binding = parseString(value["binding"], "origin.binding", 64);
  return binding.ok ? ok({ source: "caldav", binding: binding.value }) : binding;
}

export function parseEventRoot(content: unknown): Parsed<EventRoot> {
  if (!isObject(content)) return fail("content must be an object");
  if (content["msgtype"] !== EVENT_MSGTYPE) return fail(`msgtype is not ${EVENT_MSGTYPE}`);
  const ev = content[EVENT_CONTENT_KEY];
  if (!isObject(ev)) return fail(`no ${EVENT_CONTENT_KEY} object`);
  const version = parseVersion(ev["version"], CALENDAR_SCHEMA_VERSION);
  if (!version.ok) return version;
  const anchor = parseReference(content);
  if (!anchor.ok) return anchor;
  const uid = parseUid(ev["uid"]);
  if (!uid.ok) return uid;
  const origin = parseOrigin(ev["origin"]);
  if (!origin.ok) return origin;
  if (ev["summary"] === undefined || ev["calendar"] === undefined) return fail("an event root needs summary and calendar");
  const fields = parseEventFieldSet(ev, EVENT_CONTENT_KEY);
  if (!fields.ok) return fields;
  const all = { ...EVENT_DEFAULTS, ...fields.value } as CalendarEventFields;
  return ok({ version: version.value, anchor: anchor.value, uid: uid.value, origin: origin.value, fields: all });
}

export interface EventRootInput {
  anchor: string;
  uid: string;
  origin?: EventOrigin;
  fields: Pick<CalendarEventFields, "summary" | "calendar"> & Partial<CalendarEventFields>;
}

export function buildEventRoot(input: EventRootInput): JsonObject {
  const ev: JsonObject = {
    version: CALENDAR_SCHEMA_VERSION,
    uid: input.uid,
    origin: { ...(input.origin ?? { source: "matrix" }) },
    ...eventFieldsToWire(input.fields),
  };
  return {
    msgtype: EVENT_MSGTYPE,
    body: eventBodyFr(input.fields.summary, input.fields.calendar.series),
    [EVENT_CONTENT_KEY]: ev,
    // Attendees who are Matrix users are mentioned, so they are notified of the invitation.
    "m.mentions": { user_ids: [...new Set((input.fields.attendees ?? []).map((a) => a.id).filter((id) => id.startsWith("@")))] },
    "m.relates_to": { rel_type: "m.reference", event_id: input.anchor },
  };
}
