// What the widget writes, as the protocol's builders shape it: a new event or series (root), a
// change to the whole series or to one occurrence (an override in the calendar array), the
// cancellation of one occurrence (EXDATE) or of the event, and RSVPs. Pure: the form's values and
// the folded event in, event content out. New events are written in the agent's zone.
import {
  buildEventRoot, buildEventRsvp, buildEventUpdate, nextClock, type CalendarDate, type CalendarEntries, type CalendarEvent,
  type JsonObject, type OverrideEntry, type PartialCalendarEventFields, rsvpOf, type RsvpStatus, type SeriesEntry,
} from "./protocol.ts";
import { occurrenceId, type Occurrence } from "./occurrences.ts";
import { addDays, instantOf, parseWall, wallAt, type WallClock } from "./zoned-time.ts";

export type Repeat = "none" | "weekly" | "monthly";

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

/** The draft's series entry in zone `tz`, or which field is wrong. */
export function draftSeries(draft: EventDraft, tz: string): DraftCheck {
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
    dtstart = { tzid: tz, value: s };
    dtend = { tzid: tz, value: e };
  }
  const series: SeriesEntry = { dtstart, dtend };
  if (draft.repeat !== "none") {
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
  return { summary: "", location: "", description: "", allDay, startDate: dashed(s), startTime: `${pad(s.hour)}:${pad(s.minute)}`, endDate: dashed(e), endTime: `${pad(e.hour)}:${pad(e.minute)}`, repeat: "none", until: "", video: false };
}

/** The form filled from an occurrence (shown in the agent's zone). */
export function draftFrom(o: Occurrence, tz: string): EventDraft {
  const ev = o.event;
  const rule = ev.calendar.series.rrule ?? "";
  const repeat: Repeat = /FREQ=WEEKLY/.test(rule) ? "weekly" : /FREQ=MONTHLY/.test(rule) ? "monthly" : "none";
  const s = wallAt(tz, o.start);
  const lastDay = o.allDay ? addDays(o.endDay ?? o.startDay ?? "", -1) : undefined;
  const e = wallAt(tz, o.end);
  const end = lastDay === undefined ? e : parseWall(lastDay);
  const start = o.allDay && o.startDay !== undefined ? parseWall(o.startDay) : s;
  return {
    summary: o.summary, location: o.location ?? "", description: o.description ?? "", allDay: o.allDay,
    startDate: dashed(start), startTime: `${pad(s.hour)}:${pad(s.minute)}`, endDate: dashed(end), endTime: `${pad(e.hour)}:${pad(e.minute)}`,
    repeat, until: "", video: ev.video !== null,
  };
}

const text = (s: string): string | null => (s.trim() === "" ? null : s.trim());

export function newEventContent(draft: EventDraft, series: SeriesEntry, o: { anchor: string; uid: string; organizer: string }): JsonObject {
  return buildEventRoot({
    anchor: o.anchor,
    uid: o.uid,
    fields: {
      summary: draft.summary.trim(), description: text(draft.description), location: text(draft.location), calendar: { series, overrides: [] },
      organizer: o.organizer, attendees: [{ id: o.organizer }], video: draft.video ? { kind: "jitsi" } : null,
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

/** The whole series (or the single event) changed; exceptions and moved occurrences are kept. */
export function editSeriesContent(ev: CalendarEvent, draft: EventDraft, series: SeriesEntry, maxClock: number): JsonObject {
  const old = ev.calendar.series;
  const entries: CalendarEntries = {
    series: { ...series, ...(old.exdate === undefined || series.rrule === undefined ? {} : { exdate: old.exdate }) },
    overrides: series.rrule === undefined ? [] : ev.calendar.overrides,
  };
  return buildEventUpdate({
    root: ev.id, clock: nextClock(maxClock),
    set: { summary: draft.summary.trim(), location: text(draft.location), description: text(draft.description), calendar: entries, ...videoOf(ev, draft.video) },
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
