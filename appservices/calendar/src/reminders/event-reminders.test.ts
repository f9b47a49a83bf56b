import assert from "node:assert/strict";
import type { CalendarEventFields } from "../protocol.ts";
import { eventRemindersDue, nextEventReminderAt, reminderSentKey, type RemindableEvent } from "./event-reminders.ts";
import { occurrencesIn } from "./occurrences.ts";
import { eventReminderText } from "./reminder-text.ts";

const paris = (value: string) => ({ tzid: "Europe/Paris", value });
const fields = (over: Partial<CalendarEventFields> = {}): CalendarEventFields => ({
  summary: "Commission voirie", description: null, location: null, organizer: null, attendees: [], reminders: [], video: null,
  calendar: { series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T200000"), rrule: "FREQ=WEEKLY" }, overrides: [] },
  ...over,
});
const ev = (f: CalendarEventFields, cancelled = false): RemindableEvent => ({ rootId: "$e", cancelled, fields: f });
const Z = (s: string): number => Date.parse(s);

describe("calendar bot: event reminders (pure)", () => {
  it("a weekly 18:00 Paris series is reminded at 17:45 local on both sides of the October DST change", () => {
    const e = ev(fields());
    // 20 Oct (CEST, UTC+2): 17:45 local = 15:45Z; 27 Oct (CET, UTC+1): 17:45 local = 16:45Z.
    assert.deepEqual(eventRemindersDue([e], new Set(), Z("2026-10-20T15:44:59Z"), "Europe/Paris"), []);
    const first = eventRemindersDue([e], new Set(), Z("2026-10-20T15:45:00Z"), "Europe/Paris");
    assert.deepEqual(first.map((r) => [r.occurrence, r.minutes, new Date(r.at).toISOString()]), [["20261020T180000/Europe/Paris", 15, "2026-10-20T15:45:00.000Z"]]);
    assert.equal(nextEventReminderAt([e], Z("2026-10-20T15:45:00Z"), "Europe/Paris"), Z("2026-10-27T16:45:00Z"));
    const sent = new Set([reminderSentKey("$e", "20261020T180000/Europe/Paris", 15)]);
    assert.deepEqual(eventRemindersDue([e], sent, Z("2026-10-20T15:50:00Z"), "Europe/Paris"), [], "sent once");
    assert.deepEqual(eventRemindersDue([e], sent, Z("2026-10-20T16:00:00Z"), "Europe/Paris"), [], "never after the start");
  });

  it("skips excepted occurrences and cancelled events, follows moved ones, uses the event's reminders", () => {
    const f = fields({
      reminders: [60, 15],
      calendar: {
        series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T200000"), rrule: "FREQ=WEEKLY", exdate: [paris("20261027T180000")] },
        overrides: [{ recurrenceId: paris("20261103T180000"), dtstart: paris("20261104T090000"), dtend: paris("20261104T100000") }],
      },
    });
    const starts = occurrencesIn(f, "Europe/Paris", Z("2026-10-21T00:00:00Z"), Z("2026-11-11T00:00:00Z")).map((o) => [o.recurrenceKey, new Date(o.startAt).toISOString()]);
    assert.deepEqual(starts, [["20261103T180000", "2026-11-04T08:00:00.000Z"], ["20261110T180000", "2026-11-10T17:00:00.000Z"]]);
    const due = eventRemindersDue([ev(f)], new Set(), Z("2026-11-04T07:50:00Z"), "Europe/Paris");
    assert.deepEqual(due.map((r) => [r.occurrence, r.minutes]), [["20261104T090000/Europe/Paris", 60], ["20261104T090000/Europe/Paris", 15]]);
    assert.deepEqual(eventRemindersDue([ev(f, true)], new Set(), Z("2026-11-04T07:50:00Z"), "Europe/Paris"), []);
    assert.deepEqual(eventRemindersDue([ev(fields())], new Set(), Z("2026-10-20T15:50:00Z"), "Europe/Paris", []), [], "no default: no reminder");
  });

  it("a clock moved back (tests, or a corrected server clock) expands the series again: same answers", () => {
    const e = ev(fields());
    assert.equal(eventRemindersDue([e], new Set(), Z("2026-11-10T16:45:00Z"), "Europe/Paris").length, 1);
    const back = eventRemindersDue([e], new Set(), Z("2026-10-20T15:45:00Z"), "Europe/Paris");
    assert.deepEqual(back.map((r) => r.occurrence), ["20261020T180000/Europe/Paris"]);
    assert.equal(eventRemindersDue([e], new Set(), Z("2026-10-27T16:45:00Z"), "Europe/Paris")[0]?.occurrence, "20261027T180000/Europe/Paris");
  });

  it("all-day events are reminded before 09:00 in the binding's zone; the text says when, in French first", () => {
    const f = fields({ calendar: { series: { dtstart: { date: "20261224" }, dtend: { date: "20261225" } }, overrides: [] }, reminders: [1440] });
    const due = eventRemindersDue([ev(f)], new Set(), Z("2026-12-23T08:00:00Z"), "Europe/Paris");
    assert.equal(new Date(due[0]?.at ?? 0).toISOString(), "2026-12-23T08:00:00.000Z");
    const text = eventReminderText({ summary: "Commission voirie", start: paris("20261027T180000"), startAt: Z("2026-10-27T17:00:00Z"), minutes: 15, defaultTzid: "Europe/Paris", mentions: ["@bob:agglo-b"] });
    assert.equal(text, "🔔 @bob:agglo-b : rappel, « Commission voirie » commence dans 15 min — mar. 27 oct. 2026, 18:00 (Europe/Paris). (Reminder: \"Commission voirie\" starts in 15 min.)");
  });
});
