// An Entente event → one iCalendar object for CalDAV: the series VEVENT, one VEVENT per override
// (RECURRENCE-ID), the VTIMEZONE of every zone used (RFC 5545 §3.6.5 requires them), ATTENDEE with
// PARTSTAT from the members' RSVPs, reminders as VALARMs.
import ICAL from "ical.js";
import { dateKey, type CalendarDate, type OverrideEntry, type CalendarEventFields, PARTSTAT, type RsvpStatus, type Rsvp } from "../protocol.ts";
import { participantToCalAddress } from "./participants.ts";
import { vtimezoneLines } from "./time-zones.ts";

type Component = InstanceType<typeof ICAL.Component>;

export interface IcsSource {
  uid: string;
  fields: CalendarEventFields;
  rsvps?: readonly Rsvp[];
}

function icalTime(d: CalendarDate): InstanceType<typeof ICAL.Time> {
  const s = dateKey(d);
  const data = { year: Number(s.slice(0, 4)), month: Number(s.slice(4, 6)), day: Number(s.slice(6, 8)) };
  if ("date" in d) return ICAL.Time.fromData({ ...data, isDate: true });
  const time = { ...data, hour: Number(s.slice(9, 11)), minute: Number(s.slice(11, 13)), second: Number(s.slice(13, 15)), isDate: false };
  return d.tzid === "UTC" ? ICAL.Time.fromData(time, ICAL.Timezone.utcTimezone) : ICAL.Time.fromData(time);
}

function addDate(c: Component, name: string, d: CalendarDate): void {
  const prop = new ICAL.Property(name, c);
  prop.setValue(icalTime(d));
  if ("tzid" in d && d.tzid !== "UTC") prop.setParameter("tzid", d.tzid);
  c.addProperty(prop);
}

function addText(c: Component, name: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined && value !== "") c.addPropertyWithValue(name, value);
}

function statusOf(rsvps: readonly Rsvp[], userId: string, rid?: CalendarDate): RsvpStatus | undefined {
  const key = rid === undefined ? undefined : dateKey(rid);
  const exact = rid === undefined ? undefined : rsvps.find((r) => r.userId === userId && r.recurrenceId !== undefined && dateKey(r.recurrenceId) === key);
  return (exact ?? rsvps.find((r) => r.userId === userId && r.recurrenceId === undefined))?.status;
}

function addPeople(c: Component, src: IcsSource, rid?: CalendarDate): void {
  const f = src.fields;
  if (f.organizer !== null) c.addPropertyWithValue("organizer", participantToCalAddress(f.organizer));
  for (const a of f.attendees) {
    const prop = new ICAL.Property("attendee", c);
    prop.setValue(participantToCalAddress(a.id));
    if (a.name !== undefined && a.name !== "") prop.setParameter("cn", a.name);
    const status = statusOf(src.rsvps ?? [], a.id, rid);
    prop.setParameter("partstat", status === undefined ? "NEEDS-ACTION" : PARTSTAT[status]);
    c.addProperty(prop);
  }
}

function vevent(src: IcsSource, stamp: InstanceType<typeof ICAL.Time>, override?: OverrideEntry): Component {
  const f = src.fields;
  const c = new ICAL.Component("vevent");
  c.addPropertyWithValue("uid", src.uid);
  c.addPropertyWithValue("dtstamp", stamp);
  if (override !== undefined) addDate(c, "recurrence-id", override.recurrenceId);
  addDate(c, "dtstart", override?.dtstart ?? f.calendar.series.dtstart);
  addDate(c, "dtend", override?.dtend ?? f.calendar.series.dtend);
  addText(c, "summary", override?.summary ?? f.summary);
  addText(c, "description", override?.description ?? f.description);
  addText(c, "location", override?.location ?? f.location);
  if (override === undefined) {
    const { rrule, exdate } = f.calendar.series;
    if (rrule !== undefined) c.addPropertyWithValue("rrule", ICAL.Recur.fromString(rrule));
    for (const d of exdate ?? []) addDate(c, "exdate", d);
  }
  addPeople(c, src, override?.recurrenceId);
  if (f.video !== null) {
    c.addPropertyWithValue("x-entente-video", "jitsi");
    if (f.video.url !== undefined) {
      const conf = new ICAL.Property("conference", c);
      conf.resetType("uri");
      conf.setValue(f.video.url);
      conf.setParameter("feature", "VIDEO");
      c.addProperty(conf);
    }
  }
  for (const minutes of f.reminders) {
    const alarm = new ICAL.Component("valarm");
    alarm.addPropertyWithValue("action", "DISPLAY");
    alarm.addPropertyWithValue("description", f.summary);
    alarm.addPropertyWithValue("trigger", ICAL.Duration.fromSeconds(-minutes * 60));
    c.addSubcomponent(alarm);
  }
  return c;
}

function zonesOf(f: CalendarEventFields): Map<string, number> {
  const zones = new Map<string, number>();
  const note = (d: CalendarDate): void => {
    if ("tzid" in d && d.tzid !== "UTC" && !zones.has(d.tzid)) zones.set(d.tzid, Number(d.value.slice(0, 4)));
  };
  const { series, overrides } = f.calendar;
  for (const d of [series.dtstart, series.dtend, ...(series.exdate ?? [])]) note(d);
  for (const o of overrides) for (const d of [o.recurrenceId, o.dtstart, o.dtend]) note(d);
  return zones;
}

/** The iCalendar text of an event; `now` (ms) is its DTSTAMP. */
export function buildIcs(src: IcsSource, now: number): string {
  const cal = new ICAL.Component("vcalendar");
  cal.addPropertyWithValue("prodid", "-//Entente//Calendar bot//FR");
  cal.addPropertyWithValue("version", "2.0");
  for (const [tzid, year] of zonesOf(src.fields)) {
    cal.addSubcomponent(new ICAL.Component(ICAL.parse(["BEGIN:VCALENDAR", ...vtimezoneLines(tzid, year), "END:VCALENDAR"].join("\r\n")) as unknown[]).getFirstSubcomponent("vtimezone") as Component);
  }
  const stamp = ICAL.Time.fromJSDate(new Date(now), true);
  cal.addSubcomponent(vevent(src, stamp));
  for (const o of src.fields.calendar.overrides) cal.addSubcomponent(vevent(src, stamp, o));
  return cal.toString() + "\r\n";
}
