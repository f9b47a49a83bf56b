import assert from "node:assert/strict";
import ICAL from "ical.js";
import type { CalendarEventFields } from "../protocol.ts";
import { buildIcs } from "./ics-build.ts";
import { parseIcs } from "./ics-parse.ts";
import { offsetMinutes, resolveTzid, vtimezoneLines } from "./time-zones.ts";

const paris = (value: string) => ({ tzid: "Europe/Paris", value });
const base: CalendarEventFields = {
  summary: "Commission travaux",
  description: "Ordre du jour : voirie",
  location: "Salle du conseil",
  calendar: {
    series: { dtstart: paris("20261013T180000"), dtend: paris("20261013T200000"), rrule: "FREQ=WEEKLY;COUNT=6", exdate: [paris("20261020T180000")] },
    overrides: [{ recurrenceId: paris("20261103T180000"), dtstart: paris("20261104T170000"), dtend: paris("20261104T190000"), location: "Salle B" }],
  },
  organizer: "@alice:ville-a.fr",
  attendees: [{ id: "@bob:ville-b.fr", name: "Bob" }, { id: "mailto:elu@ville-c.fr" }],
  reminders: [15, 1440],
  video: { kind: "jitsi", url: "https://meet.ville-a.fr/commission" },
};

/** UTC instants of the occurrences, expanded by ical.js from our own VTIMEZONE. */
function expandUtc(ics: string, max: number): Date[] {
  const cal = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  for (const vtz of cal.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  const master = cal.getAllSubcomponents("vevent").find((c) => c.getFirstProperty("recurrence-id") === null);
  assert.ok(master);
  const it = new ICAL.Event(master).iterator();
  const out: Date[] = [];
  for (let t = it.next(); t !== undefined && out.length < max; t = it.next()) out.push(t.toJSDate());
  return out;
}

const parisClock = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit", weekday: "short", day: "numeric", month: "short" });

describe("calendar bot: iCalendar mapping", () => {
  it("round-trips an event through iCalendar: series, EXDATE, moved occurrence, people, alarms, video", () => {
    const ics = buildIcs({ uid: "commission-travaux@ville-a.fr", fields: base, rsvps: [{ userId: "@bob:ville-b.fr", status: "accepted" }] }, Date.UTC(2026, 9, 1));
    assert.match(ics, /BEGIN:VTIMEZONE\r\nTZID:Europe\/Paris/);
    assert.match(ics, /DTSTART;TZID=Europe\/Paris:20261013T180000/);
    assert.match(ics, /RECURRENCE-ID;TZID=Europe\/Paris:20261103T180000/);
    assert.match(ics, /ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:matrix:u\/bob:ville-b.fr/);
    const back = parseIcs(ics, "Europe/Paris");
    assert.ok(back.ok, back.ok ? "" : back.reason);
    assert.equal(back.value.uid, "commission-travaux@ville-a.fr");
    assert.deepEqual(back.value.fields, base);
    assert.equal(back.value.partstats.get("@bob:ville-b.fr"), "ACCEPTED");
    assert.equal(back.value.partstats.get("mailto:elu@ville-c.fr"), "NEEDS-ACTION");
  });

  it("all-day events, UTC and floating times, DURATION, a cancelled occurrence as EXDATE", () => {
    const allDay = buildIcs({ uid: "ferie", fields: { ...base, calendar: { series: { dtstart: { date: "20261111" }, dtend: { date: "20261112" } }, overrides: [] }, attendees: [], organizer: null } }, 0);
    assert.match(allDay, /DTSTART;VALUE=DATE:20261111/);
    const allDayBack = parseIcs(allDay, "Europe/Paris");
    assert.ok(allDayBack.ok);
    assert.deepEqual(allDayBack.value.fields.calendar.series, { dtstart: { date: "20261111" }, dtend: { date: "20261112" } });
    const foreign = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//y//EN",
      "BEGIN:VEVENT", "UID:abc", "DTSTAMP:20260101T000000Z", "DTSTART:20261201T170000Z", "DURATION:PT90M", "SUMMARY:Visio", "RRULE:FREQ=DAILY;COUNT=3", "END:VEVENT",
      "BEGIN:VEVENT", "UID:abc", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID:20261202T170000Z", "DTSTART:20261202T170000Z", "DTEND:20261202T180000Z", "STATUS:CANCELLED", "END:VEVENT",
      "END:VCALENDAR",
    ].join("\r\n");
    const p = parseIcs(foreign, "Europe/Paris");
    assert.ok(p.ok, p.ok ? "" : p.reason);
    assert.deepEqual(p.value.fields.calendar, {
      series: { dtstart: { tzid: "UTC", value: "20261201T170000" }, dtend: { tzid: "UTC", value: "20261201T183000" }, rrule: "FREQ=DAILY;COUNT=3", exdate: [{ tzid: "UTC", value: "20261202T170000" }] },
      overrides: [],
    });
    const floating = parseIcs(foreign.replace("DTSTART:20261201T170000Z", "DTSTART:20261201T170000"), "Europe/Paris");
    assert.ok(floating.ok);
    assert.deepEqual(floating.value.fields.calendar.series.dtstart, paris("20261201T170000"));
  });

  it("DST: a weekly 18:00 Europe/Paris meeting stays at 18:00 local across the October change", () => {
    const weekly: CalendarEventFields = { ...base, calendar: { series: { dtstart: paris("20261013T180000"), dtend: paris("20261013T200000"), rrule: "FREQ=WEEKLY" }, overrides: [] } };
    const occurrences = expandUtc(buildIcs({ uid: "dst", fields: weekly }, 0), 4);
    // 25 October 2026 is the last Sunday of October: CEST (UTC+2) before, CET (UTC+1) after.
    assert.deepEqual(occurrences.map((d) => d.toISOString()), ["2026-10-13T16:00:00.000Z", "2026-10-20T16:00:00.000Z", "2026-10-27T17:00:00.000Z", "2026-11-03T17:00:00.000Z"]);
    assert.deepEqual(occurrences.map((d) => parisClock.format(d)), ["mar. 13 oct., 18:00", "mar. 20 oct., 18:00", "mar. 27 oct., 18:00", "mar. 3 nov., 18:00"]);
  });

  it("VTIMEZONE rules derived from Intl match Intl's offsets for a whole year (Paris, New York, Réunion)", () => {
    for (const tz of ["Europe/Paris", "America/New_York", "Indian/Reunion"]) {
      const cal = new ICAL.Component(ICAL.parse(["BEGIN:VCALENDAR", ...vtimezoneLines(tz, 2026), "END:VCALENDAR"].join("\r\n")) as unknown[]);
      const zone = new ICAL.Timezone(cal.getFirstSubcomponent("vtimezone") as InstanceType<typeof ICAL.Component>);
      for (let day = 0; day < 365 * 2; day += 3) {
        const ms = Date.UTC(2026, 0, 1 + day, 12);
        const t = ICAL.Time.fromJSDate(new Date(ms), true);
        assert.equal(zone.utcOffset(t) / 60, offsetMinutes(tz, ms), `${tz} ${new Date(ms).toISOString()}`);
      }
    }
    assert.deepEqual(resolveTzid("Romance Standard Time"), { ok: true, value: "Europe/Paris" });
  });

  it("bad input is refused with a clear reason: malformed text, unknown TZID, 10 MB object, no UID", () => {
    const reasonOf = (ics: string): string => {
      const p = parseIcs(ics, "Europe/Paris");
      assert.equal(p.ok, false);
      return p.ok ? "" : p.reason;
    };
    const good = buildIcs({ uid: "x1", fields: base }, 0);
    assert.match(reasonOf("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;;;:\r\n"), /^malformed iCalendar/);
    assert.match(reasonOf(good.replaceAll("Europe/Paris", "Mars/Olympus_Mons")), /^unknown TZID "Mars\/Olympus_Mons"/);
    const big = good.replace("DESCRIPTION:", `DESCRIPTION:${"x".repeat(10 * 1024 * 1024)}`);
    assert.match(reasonOf(big), /^calendar object is 104\d{5} bytes, over the 1000000 byte limit/);
    assert.match(reasonOf(good.replace(/UID:x1\r\n/g, "")), /UID/);
    assert.match(reasonOf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"), /no VEVENT/);
  });
});
