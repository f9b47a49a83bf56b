// One CalDAV calendar object (iCalendar text) → the fields of an Entente event, or a reason to skip
// it. ical.js does the lexing; this file decides what each property means for us. Foreign input:
// never throws (RFC 5545 https://www.rfc-editor.org/rfc/rfc5545#section-3.6.1; CalDAV allows one
// UID per object, RFC 4791 §4.1).
import ICAL from "ical.js";
import { fail, ok, type Parsed, parseCalendarEntries, type CalendarDate, type OverrideEntry, type SeriesEntry, EVENT_DEFAULTS, parseEventFieldSet, type Attendee, type CalendarEventFields, parseUid, addDays } from "../protocol.ts";
import { ICS_LIMITS } from "./ics-limits.ts";
import { calAddressToParticipant } from "./participants.ts";
import { resolveTzid } from "./time-zones.ts";

type Component = InstanceType<typeof ICAL.Component>;
type Property = InstanceType<typeof ICAL.Property>;
type Time = InstanceType<typeof ICAL.Time>;

export interface ParsedIcs {
  uid: string;
  fields: CalendarEventFields;
  /** PARTSTAT by participant id, from the series' ATTENDEE lines */
  partstats: Map<string, string>;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function timeToDate(t: Time, prop: Property, defaultTzid: string): Parsed<CalendarDate> {
  const day = `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}`;
  if (t.isDate) return ok({ date: day });
  const value = `${day}T${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
  const tzParam = prop.getParameter("tzid");
  if (typeof tzParam === "string" && tzParam !== "") {
    const tz = resolveTzid(tzParam);
    return tz.ok ? ok({ tzid: tz.value, value }) : tz;
  }
  if (t.zone?.tzid === "UTC") return ok({ tzid: "UTC", value });
  // A floating time means "local wherever you are": the binding's zone is the council's.
  return ok({ tzid: defaultTzid, value });
}

function dateProp(c: Component, name: string, defaultTzid: string): Parsed<CalendarDate> | undefined {
  const prop = c.getFirstProperty(name);
  if (prop === null) return undefined;
  const v = prop.getFirstValue();
  if (!(v instanceof ICAL.Time)) return fail(`${name.toUpperCase()} is not a date or date-time`);
  return timeToDate(v, prop, defaultTzid);
}

function endOf(c: Component, start: CalendarDate, defaultTzid: string): Parsed<CalendarDate> {
  const end = dateProp(c, "dtend", defaultTzid);
  if (end !== undefined) return end;
  const duration = c.getFirstPropertyValue("duration");
  const dtstart = c.getFirstPropertyValue("dtstart");
  if (duration instanceof ICAL.Duration && dtstart instanceof ICAL.Time) {
    const t = dtstart.clone();
    t.addDuration(duration);
    const prop = c.getFirstProperty("dtstart");
    if (prop !== null) return timeToDate(t, prop, defaultTzid);
  }
  // RFC 5545 §3.6.1: no DTEND nor DURATION = one day for a date, an instant for a date-time.
  return ok("date" in start ? { date: addDays(start.date, 1) } : start);
}

function span(c: Component, defaultTzid: string): Parsed<{ dtstart: CalendarDate; dtend: CalendarDate }> {
  const start = dateProp(c, "dtstart", defaultTzid);
  if (start === undefined) return fail("VEVENT has no DTSTART");
  if (!start.ok) return start;
  const end = endOf(c, start.value, defaultTzid);
  return end.ok ? ok({ dtstart: start.value, dtend: end.value }) : end;
}

function text(c: Component, name: string): string | null {
  const v = c.getFirstPropertyValue(name);
  return typeof v === "string" && v !== "" ? v : null;
}

function seriesOf(master: Component, defaultTzid: string): Parsed<SeriesEntry> {
  const s = span(master, defaultTzid);
  if (!s.ok) return s;
  const series: SeriesEntry = { ...s.value };
  const rrule = master.getFirstPropertyValue("rrule");
  if (rrule instanceof ICAL.Recur) series.rrule = rrule.toString();
  const exdate: CalendarDate[] = [];
  for (const prop of master.getAllProperties("exdate")) {
    for (const v of prop.getValues()) {
      if (!(v instanceof ICAL.Time)) return fail("EXDATE is not a date or date-time");
      const d = timeToDate(v, prop, defaultTzid);
      if (!d.ok) return d;
      exdate.push(d.value);
    }
  }
  if (exdate.length > 0) series.exdate = exdate;
  return ok(series);
}

function overrideOf(c: Component, master: Component, defaultTzid: string): Parsed<OverrideEntry | CalendarDate> {
  const rid = dateProp(c, "recurrence-id", defaultTzid);
  if (rid === undefined || !rid.ok) return rid ?? fail("override has no RECURRENCE-ID");
  // A cancelled occurrence is an exception (EXDATE) for us.
  if (c.getFirstPropertyValue("status") === "CANCELLED") return ok(rid.value);
  const s = span(c, defaultTzid);
  if (!s.ok) return s;
  const o: OverrideEntry = { recurrenceId: rid.value, ...s.value };
  for (const key of ["summary", "location", "description"] as const) {
    const v = text(c, key);
    if (v !== null && v !== text(master, key)) o[key] = v;
  }
  return ok(o);
}

function attendeesOf(master: Component): { attendees: Attendee[]; partstats: Map<string, string> } {
  const attendees: Attendee[] = [];
  const partstats = new Map<string, string>();
  for (const prop of master.getAllProperties("attendee")) {
    const v = prop.getFirstValue();
    const id = typeof v === "string" ? calAddressToParticipant(v) : undefined;
    if (id === undefined || attendees.some((a) => a.id === id)) continue;
    const cn = prop.getParameter("cn");
    attendees.push(typeof cn === "string" && cn !== "" ? { id, name: cn } : { id });
    const ps = prop.getParameter("partstat");
    if (typeof ps === "string") partstats.set(id, ps.toUpperCase());
  }
  return { attendees, partstats };
}

function remindersOf(master: Component): number[] {
  const out: number[] = [];
  for (const alarm of master.getAllSubcomponents("valarm")) {
    const trigger = alarm.getFirstPropertyValue("trigger");
    // Only "before the start" durations map to our reminders; absolute triggers are dropped.
    if (trigger instanceof ICAL.Duration && trigger.isNegative) out.push(Math.round(trigger.toSeconds() / -60));
    else if (trigger instanceof ICAL.Duration && trigger.toSeconds() === 0) out.push(0);
  }
  return [...new Set(out)].slice(0, 10);
}

function parseComponents(ics: string): Parsed<Component[]> {
  const bytes = Buffer.byteLength(ics, "utf8");
  if (bytes > ICS_LIMITS.objectBytes) return fail(`calendar object is ${bytes} bytes, over the ${ICS_LIMITS.objectBytes} byte limit`);
  let root: Component;
  try {
    root = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  } catch (e) {
    return fail(`malformed iCalendar: ${e instanceof Error ? e.message.slice(0, 200) : "parse error"}`);
  }
  if (root.name !== "vcalendar") return fail("not a VCALENDAR");
  const vevents = root.getAllSubcomponents("vevent");
  if (vevents.length === 0) return fail("no VEVENT (a task or journal object)");
  if (vevents.length > ICS_LIMITS.components) return fail(`more than ${ICS_LIMITS.components} VEVENTs in one object`);
  return ok(vevents);
}

/** The event an iCalendar object describes, or why it cannot be carried to the room. */
export function parseIcs(ics: string, defaultTzid: string): Parsed<ParsedIcs> {
  const comps = parseComponents(ics);
  if (!comps.ok) return comps;
  const uids = new Set(comps.value.map((c) => c.getFirstPropertyValue("uid")));
  if (uids.size !== 1) return fail("VEVENTs with different UIDs in one object");
  const uid = parseUid([...uids][0], "UID");
  if (!uid.ok) return uid;
  const master = comps.value.find((c) => c.getFirstProperty("recurrence-id") === null);
  if (master === undefined) return fail("only overrides, no series (an invitation to one occurrence)");
  const series = seriesOf(master, defaultTzid);
  if (!series.ok) return series;
  const overrides: OverrideEntry[] = [];
  for (const c of comps.value) {
    if (c === master) continue;
    const o = overrideOf(c, master, defaultTzid);
    if (!o.ok) return o;
    if ("recurrenceId" in o.value) overrides.push(o.value);
    else series.value.exdate = [...(series.value.exdate ?? []), o.value];
  }
  const { attendees, partstats } = attendeesOf(master);
  const organizer = master.getFirstPropertyValue("organizer");
  const videoUrl = master.getAllProperties("conference").map((p) => p.getFirstValue()).find((v) => typeof v === "string" && v.startsWith("https://"));
  const wire: Record<string, unknown> = {
    summary: text(master, "summary") ?? "(sans titre)",
    description: text(master, "description"),
    location: text(master, "location"),
    calendar: [series.value, ...overrides],
    organizer: typeof organizer === "string" ? (calAddressToParticipant(organizer) ?? null) : null,
    attendees,
    reminders: remindersOf(master),
    video: master.getFirstPropertyValue("x-entente-video") === "jitsi" ? (typeof videoUrl === "string" ? { kind: "jitsi", url: videoUrl } : { kind: "jitsi" }) : null,
  };
  // Our own schema has the last word: what it refuses from a room, it refuses from CalDAV too.
  const checked = parseEventFieldSet(wire, "VEVENT");
  if (!checked.ok) return checked;
  const entries = parseCalendarEntries(wire["calendar"], "VEVENT");
  if (!entries.ok) return entries;
  const fields = { ...EVENT_DEFAULTS, ...checked.value } as CalendarEventFields;
  return ok({ uid: uid.value, fields, partstats });
}
