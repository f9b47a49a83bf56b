// The fields of a calendar event, shared by roots (all fields) and updates (any subset). Each is
// replaced whole by a later update (last writer wins per field, DESIGN.md §6); `calendar` is one
// field, so a moved occurrence and the series it belongs to never mix halves of two edits.
import { fail, isObject, ok, parseArray, parseInteger, parseString, parseUserId, type JsonObject, type Parsed } from "../parse.ts";
import { CALENDAR_LIMITS, calendarEntriesToWire, parseCalendarEntries, type CalendarEntries } from "./calendar-dates.ts";

/** A participant: a Matrix user (`@alice:ville-a.fr`) or an outside address (`mailto:x@y.fr`). */
export interface Attendee {
  id: string;
  name?: string;
}

export interface VideoMeeting {
  kind: "jitsi";
  /** set once the widget exists; absent = "please add one" */
  url?: string;
}

/** Where the event was first created: in a room, or imported from a binding's CalDAV collection. */
export type EventOrigin = { source: "matrix" } | { source: "caldav"; binding: string };

export interface CalendarEventFields {
  summary: string;
  description: string | null;
  location: string | null;
  calendar: CalendarEntries;
  organizer: string | null;
  attendees: Attendee[];
  /** minutes before each occurrence's start */
  reminders: number[];
  video: VideoMeeting | null;
}

export type PartialCalendarEventFields = Partial<CalendarEventFields>;

export const FIELD_NAMES = ["summary", "description", "location", "calendar", "organizer", "attendees", "reminders", "video"] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

const MAX_ATTENDEES = 500;
const MAX_REMINDERS = 10;
const MAILTO = /^mailto:[^\s@]+@[^\s@]+$/i;

export function parseParticipant(value: unknown, what: string): Parsed<string> {
  if (typeof value === "string" && value.length <= 320 && MAILTO.test(value)) return ok(value);
  const user = parseUserId(value, what);
  return user.ok ? user : fail(`${what} must be a Matrix user id or a mailto: address`);
}

function parseAttendee(value: unknown, what: string): Parsed<Attendee> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  const id = parseParticipant(value["id"], `${what}.id`);
  if (!id.ok) return id;
  if (value["name"] === undefined) return ok({ id: id.value });
  const name = parseString(value["name"], `${what}.name`, 200, true);
  return name.ok ? ok({ id: id.value, name: name.value }) : name;
}

function parseVideo(value: unknown): Parsed<VideoMeeting | null> {
  if (value === null) return ok(null);
  if (!isObject(value) || value["kind"] !== "jitsi") return fail("video must be null or {kind: \"jitsi\"}");
  if (value["url"] === undefined) return ok({ kind: "jitsi" });
  const url = parseString(value["url"], "video.url", 2000);
  if (!url.ok) return url;
  if (!/^https:\/\//.test(url.value)) return fail("video.url must be an https URL");
  return ok({ kind: "jitsi", url: url.value });
}

function nullableText(value: unknown, what: string, max: number): Parsed<string | null> {
  return value === null ? ok(null) : parseString(value, what, max, true);
}

type FieldParser = (value: unknown, what: string) => Parsed<unknown>;
const PARSERS: Record<FieldName, FieldParser> = {
  summary: (v, w) => parseString(v, w, CALENDAR_LIMITS.text),
  description: (v, w) => nullableText(v, w, CALENDAR_LIMITS.description),
  location: (v, w) => nullableText(v, w, CALENDAR_LIMITS.text),
  calendar: parseCalendarEntries,
  organizer: (v, w) => (v === null ? ok(null) : parseParticipant(v, w)),
  attendees: (v, w) => parseArray(v, w, MAX_ATTENDEES, parseAttendee),
  reminders: (v, w) => parseArray(v, w, MAX_REMINDERS, (x, wx) => parseInteger(x, wx, 0, 40320)),
  video: (v) => parseVideo(v),
};

/** Parses whichever known fields are present; unknown keys are ignored (forward compatibility). */
export function parseEventFieldSet(source: JsonObject, what: string): Parsed<PartialCalendarEventFields> {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    if (source[name] === undefined) continue;
    const parsed = PARSERS[name](source[name], `${what}.${name}`);
    if (!parsed.ok) return parsed;
    out[name] = parsed.value;
  }
  return ok(out as PartialCalendarEventFields);
}

export function eventFieldsToWire(fields: PartialCalendarEventFields): JsonObject {
  const out: JsonObject = {};
  for (const name of FIELD_NAMES) {
    const v = fields[name];
    if (v === undefined) continue;
    if (name === "calendar") out[name] = calendarEntriesToWire(v as CalendarEntries);
    else out[name] = v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown);
  }
  return out;
}

export const EVENT_DEFAULTS: Omit<CalendarEventFields, "summary" | "calendar"> = {
  description: null,
  location: null,
  organizer: null,
  attendees: [],
  reminders: [],
  video: null,
};
