// What the widget writes, as the protocol's builders shape it: a new event or series (root), a
// change to the whole series or to one occurrence (an override in the calendar array), the
// cancellation of one occurrence (EXDATE) or of the event, and RSVPs. Pure: the form's values and
// the folded event in, event content out. New events are written in the agent's zone.
import {
  buildEventRoot, buildEventRsvp, buildEventUpdate, nextClock, type CalendarDate, type CalendarEntries, type CalendarEvent,
  type JsonObject, type OverrideEntry, type PartialCalendarEventFields, rsvpOf, type RsvpStatus, type SeriesEntry,
} from "./protocol.ts";
import { occurrenceId, type Occurrence } from "./occurrences.ts";
import { addDays, instantOf, instantOfValue, parseWall, wallAt, wallString, type WallClock } from "./zoned-time.ts";

/** "custom": a rule the form cannot show (daily, BYDAY lists, from CalDAV…), kept as it is. */
export type Repeat = "none" | "weekly" | "monthly" | "custom";

/** The form's values: dates "YYYY-MM-DD" and times "HH:MM" as <input type=date|time> give them. */
export interface EventDraft {
  summary: string;
  location: string;
  description: string;
  allDay: boolean;
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  repeat: Repeat;
  /** last day of the series "YYYY-MM-DD", or "" for no end */
  until: string;
  video: boolean;
  /**
   * Who else is invited (Matrix ids, or outside addresses kept from CalDAV): the organizer is
   * always an attendee of a new event and is not listed here.
   */
  attendees: string[];
}

export type DraftCheck = { ok: true; series: SeriesEntry } | { ok: false; problem: "summary" | "date" | "order" | "until" };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

const compact = (date: string): string | undefined => {
  const m = DATE.exec(date);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  return `${m[1]}${m[2]}${m[3]}`;
};

function value(date: string, time: string): string | undefined {
  const d = compact(date);
  const t = TIME.exec(time);
  if (d === undefined || t === null || Number(t[1]) > 23 || Number(t[2]) > 59) return undefined;
  return `${d}T${t[1]}${t[2]}00`;
}

/** The rule being edited, as the form showed it: kept verbatim while repeat and until are unchanged. */
export interface OriginalRule {
  rrule: string;
  repeat: Repeat;
  until: string;
}

/** A wall clock typed in `from` as the same instant's wall clock in `to`. */
function rezone(value: string, from: string, to: string): string {
  return from === to ? value : wallString(wallAt(to, instantOf(from, parseWall(value))));
}

/**
 * The draft (typed in the agent's zone `tz`) as a series entry stored in `storeTz`: the event's own
 * zone when editing, the binding's default zone for a new event. Storing the agent's zone would
 * make a Paris meeting typed from Cayenne (no DST) drift by an hour twice a year.
 */
export function draftSeries(draft: EventDraft, tz: string, original?: OriginalRule, storeTz = tz): DraftCheck {
  if (draft.summary.trim() === "") return { ok: false, problem: "summary" };
  let dtstart: CalendarDate;
  let dtend: CalendarDate;
  if (draft.allDay) {
    const s = compact(draft.startDate);
    const e = compact(draft.endDate === "" ? draft.startDate : draft.endDate);
    if (s === undefined || e === undefined) return { ok: false, problem: "date" };
    if (e < s) return { ok: false, problem: "order" };
    // DTEND of an all-day event is the day after the last one (RFC 5545 §3.6.1).
    dtstart = { date: s };
    dtend = { date: addDays(e, 1) };
  } else {
    const s = value(draft.startDate, draft.startTime);
    const e = value(draft.endDate === "" ? draft.startDate : draft.endDate, draft.endTime);
    if (s === undefined || e === undefined) return { ok: false, problem: "date" };
    if (e < s) return { ok: false, problem: "order" };
    dtstart = { tzid: storeTz, value: rezone(s, tz, storeTz) };
    dtend = { tzid: storeTz, value: rezone(e, tz, storeTz) };
  }
  const series: SeriesEntry = { dtstart, dtend };
  if (original !== undefined && draft.repeat === original.repeat && draft.until === original.until) {
    // COUNT, INTERVAL, BYDAY… of the original rule survive an edit of the title or the time.
    if (draft.repeat !== "none") series.rrule = original.rrule;
  } else if (draft.repeat === "custom") {
    return { ok: false, problem: "date" };
  } else if (draft.repeat !== "none") {
    let rule = draft.repeat === "weekly" ? "FREQ=WEEKLY" : "FREQ=MONTHLY";
    if (draft.until !== "") {
      const u = compact(draft.until);
      const first = "date" in dtstart ? dtstart.date : dtstart.value.slice(0, 8);
      if (u === undefined || u < first) return { ok: false, problem: "until" };
      // RFC 5545: with a zoned DTSTART, UNTIL is UTC; the end of that local day.
      rule += "date" in dtstart ? `;UNTIL=${u}` : `;UNTIL=${utcStamp(instantOf(tz, { ...parseWall(u), hour: 23, minute: 59, second: 59 }))}`;
    }
    series.rrule = rule;
  }
  return { ok: true, series };
}

const utcStamp = (ms: number): string => `${new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;

const pad = (n: number): string => String(n).padStart(2, "0");
const dashed = (w: Pick<WallClock, "year" | "month" | "day">): string => `${w.year}-${pad(w.month)}-${pad(w.day)}`;

/** A blank draft for a slot starting at `startMs` (one hour long), in the agent's zone. */
export function blankDraft(startMs: number, tz: string, allDay = false): EventDraft {
  const s = wallAt(tz, startMs);
  const e = wallAt(tz, startMs + 3_600_000);
  return { summary: "", location: "", description: "", allDay, startDate: dashed(s), startTime: `${pad(s.hour)}:${pad(s.minute)}`, endDate: dashed(e), endTime: `${pad(e.hour)}:${pad(e.minute)}`, repeat: "none", until: "", video: false, attendees: [] };
}

export function repeatOf(rrule: string | undefined): Repeat {
  if (rrule === undefined) return "none";
  const parts = rrule.split(";").filter((p) => !p.startsWith("UNTIL="));
  if (parts.length === 1 && parts[0] === "FREQ=WEEKLY") return "weekly";
  if (parts.length === 1 && parts[0] === "FREQ=MONTHLY") return "monthly";
  return "custom";
}

/** UNTIL as the form's "YYYY-MM-DD" (the local day in `tz` of a UTC UNTIL), or "". */
export function untilOf(rrule: string | undefined, tz: string): string {
  const u = /(?:^|;)UNTIL=(\d{8})(T\d{6}Z?)?/.exec(rrule ?? "");
  if (u === null || u[1] === undefined) return "";
  if (u[2] === undefined) return dashed(parseWall(u[1]));
  const ms = u[2].endsWith("Z") ? instantOf("UTC", parseWall(`${u[1]}${u[2].slice(0, 7)}`)) : undefined;
  return ms === undefined ? dashed(parseWall(u[1])) : dashed(wallAt(tz, ms));
}

export function originalRule(ev: CalendarEvent, tz: string): OriginalRule | undefined {
  const rrule = ev.calendar.series.rrule;
  return rrule === undefined ? undefined : { rrule, repeat: repeatOf(rrule), until: untilOf(rrule, tz) };
}

/**
 * The form filled from an occurrence, or from the series' first occurrence when the whole series
 * is edited (so saving does not move the series' start), in the agent's zone.
 */
export function draftFrom(o: Occurrence, tz: string, scope: "series" | "occurrence" = "occurrence"): EventDraft {
  const ev = o.event;
  const rule = ev.calendar.series.rrule;
  let allDay = o.allDay;
  let startMs = o.start;
  let endMs = o.end;
  let startDay = o.startDay;
  let endDay = o.endDay;
  if (scope === "series") {
    const { dtstart, dtend } = ev.calendar.series;
    allDay = "date" in dtstart;
    if ("date" in dtstart) {
      startDay = dtstart.date;
      endDay = "date" in dtend && dtend.date > dtstart.date ? dtend.date : addDays(dtstart.date, 1);
    } else {
      startMs = instantOfValue(dtstart.tzid, dtstart.value);
      endMs = "date" in dtend ? startMs : instantOfValue(dtend.tzid, dtend.value);
    }
  }
  const s = wallAt(tz, startMs);
  const e = wallAt(tz, endMs);
  const start = allDay && startDay !== undefined ? parseWall(startDay) : s;
  const end = allDay ? parseWall(addDays(endDay ?? startDay ?? "", -1)) : e;
  return {
    summary: scope === "series" ? ev.summary : o.summary, location: (scope === "series" ? ev.location : o.location) ?? "",
    description: (scope === "series" ? ev.description : o.description) ?? "", allDay,
    startDate: dashed(start), startTime: `${pad(s.hour)}:${pad(s.minute)}`, endDate: dashed(end), endTime: `${pad(e.hour)}:${pad(e.minute)}`,
    repeat: repeatOf(rule), until: untilOf(rule, tz), video: ev.video !== null,
    attendees: ev.attendees.map((a) => a.id).filter((id) => id !== ev.organizer),
  };
}

const text = (s: string): string | null => (s.trim() === "" ? null : s.trim());

export function newEventContent(draft: EventDraft, series: SeriesEntry, o: { anchor: string; uid: string; organizer: string }): JsonObject {
  return buildEventRoot({
    anchor: o.anchor,
    uid: o.uid,
    fields: {
      summary: draft.summary.trim(), description: text(draft.description), location: text(draft.location), calendar: { series, overrides: [] },
      organizer: o.organizer, attendees: [...new Set([o.organizer, ...draft.attendees])].map((id) => ({ id })), video: draft.video ? { kind: "jitsi" } : null,
    },
  });
}

/** A new UID: random, printable, and without "/" (the bot derives the CalDAV href from it). */
export function newUid(random: () => number, domain: string): string {
  let s = "";
  for (let i = 0; i < 20; i++) s += "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 36)];
  return `${s}@${domain.replace(/[^\x21-\x2e\x30-\x7e]/g, "")}`;
}

function videoOf(ev: CalendarEvent, wanted: boolean): PartialCalendarEventFields {
  if (wanted === (ev.video !== null)) return {};
  return { video: wanted ? { kind: "jitsi" } : null };
}

/** The attendees when the draft changed who is invited (names of those kept are kept); nothing otherwise. */
function attendeesOf(ev: CalendarEvent, wanted: readonly string[]): PartialCalendarEventFields {
  const organizer = ev.organizer;
  const keep = new Set([...(organizer !== null && ev.attendees.some((a) => a.id === organizer) ? [organizer] : []), ...wanted]);
  const before = new Set(ev.attendees.map((a) => a.id));
  if (keep.size === before.size && [...keep].every((id) => before.has(id))) return {};
  const known = new Map(ev.attendees.map((a) => [a.id, a]));
  return { attendees: [...keep].map((id) => known.get(id) ?? { id }) };
}

/** The whole series (or the single event) changed; exceptions and moved occurrences are kept. */
export function editSeriesContent(ev: CalendarEvent, draft: EventDraft, series: SeriesEntry, maxClock: number): JsonObject {
  const old = ev.calendar.series;
  const entries: CalendarEntries = {
    series: { ...series, ...(old.exdate === undefined || series.rrule === undefined ? {} : { exdate: old.exdate }) },
    overrides: series.rrule === undefined ? [] : ev.calendar.overrides,
  };
  return buildEventUpdate({
    root: ev.id, clock: nextClock(maxClock),
    set: { summary: draft.summary.trim(), location: text(draft.location), description: text(draft.description), calendar: entries, ...videoOf(ev, draft.video), ...attendeesOf(ev, draft.attendees) },
  });
}

/** One occurrence of a series changed: an override named by its original start. */
export function editOccurrenceContent(o: Occurrence, draft: EventDraft, span: SeriesEntry, maxClock: number): JsonObject {
  const ev = o.event;
  if (o.recurrenceId === undefined) throw new Error("not an occurrence of a series");
  const rid = o.recurrenceId;
  const override: OverrideEntry = { recurrenceId: rid, dtstart: span.dtstart, dtend: span.dtend, summary: draft.summary.trim() };
  const location = text(draft.location);
  if (location !== null) override.location = location;
  const description = text(draft.description);
  if (description !== null) override.description = description;
  const overrides = [...ev.calendar.overrides.filter((x) => occurrenceId(x.recurrenceId) !== occurrenceId(rid)), override];
  return buildEventUpdate({ root: ev.id, clock: nextClock(maxClock), set: { calendar: { series: ev.calendar.series, overrides } } });
}

/** One occurrence cancelled: an EXDATE (its override, if any, goes). */
export function cancelOccurrenceContent(o: Occurrence, maxClock: number): JsonObject {
  const ev = o.event;
  if (o.recurrenceId === undefined) throw new Error("not an occurrence of a series");
  const rid = o.recurrenceId;
  const series: SeriesEntry = { ...ev.calendar.series, exdate: [...(ev.calendar.series.exdate ?? []), rid] };
  const overrides = ev.calendar.overrides.filter((x) => occurrenceId(x.recurrenceId) !== occurrenceId(rid));
  return buildEventUpdate({ root: ev.id, clock: nextClock(maxClock), set: { calendar: { series, overrides } } });
}

export function cancelEventContent(ev: CalendarEvent, maxClock: number): JsonObject {
  return buildEventUpdate({ root: ev.id, clock: nextClock(maxClock), cancel: true });
}

/** An answer for this occurrence of a series, or for the whole event ("series", the default). */
export function rsvpContent(o: Occurrence, status: RsvpStatus, scope: "series" | "occurrence" = "series"): JsonObject {
  const rid = scope === "occurrence" ? o.recurrenceId : undefined;
  return buildEventRsvp({ root: o.event.id, status, ...(rid === undefined ? {} : { recurrenceId: rid }) });
}

export interface Answer {
  userId: string;
  name: string | undefined;
  status: RsvpStatus | undefined;
}

/** Invited attendees and anyone who answered, with their answer for this occurrence. */
export function answersFor(o: Occurrence): Answer[] {
  const ev = o.event;
  const ids = new Map<string, string | undefined>();
  for (const a of ev.attendees) ids.set(a.id, a.name);
  for (const r of ev.rsvps) if (!ids.has(r.userId)) ids.set(r.userId, undefined);
  return [...ids].map(([userId, name]) => ({ userId, name, status: rsvpOf(ev, userId, o.recurrenceId) }));
}
