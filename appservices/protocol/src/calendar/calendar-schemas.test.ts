import assert from "node:assert/strict";
import { parseCalendarEntries } from "./calendar-dates.ts";
import { recurrenceLabelFr, eventBodyFr } from "./calendar-body.ts";
import { buildCalendarBinding, parseCalendarBinding } from "./calendar-state.ts";
import { buildEventRoot, parseEventRoot } from "./calendar-root.ts";
import { parseEventUpdate } from "./calendar-update.ts";

const paris = (value: string) => ({ tzid: "Europe/Paris", value });

describe("protocol: calendar schemas", () => {
  it("binding state round-trips and refuses credentials in URLs", () => {
    const content = buildCalendarBinding({ anchor: "$a", name: "Groupe de travail", caldav: { server: "https://dav.ville-a.fr/", collection: "/u/agenda/" } });
    const p = parseCalendarBinding("gt-voirie", content);
    assert.ok(p.ok);
    assert.equal(p.value.direction, "both");
    assert.equal(p.value.defaultTzid, "Europe/Paris");
    assert.equal(p.value.icsFeed, false);
    assert.equal(p.value.autoVideo, false);
    const auto = parseCalendarBinding("gt", buildCalendarBinding({ anchor: "$a", name: "GT", autoVideo: true }));
    assert.ok(auto.ok && auto.value.autoVideo);
    assert.equal(parseCalendarBinding("gt", { ...content, auto_video: "oui" }).ok, false);
    const leaked = parseCalendarBinding("gt", { ...content, caldav: { server: "https://bob:secret@dav.fr/", collection: "/c/" } });
    assert.deepEqual(leaked, { ok: false, reason: "caldav.server must not carry credentials" });
    assert.equal(parseCalendarBinding("a b", content).ok, false);
    assert.equal(parseCalendarBinding("gt", { ...content, direction: "sideways" }).ok, false);
  });

  it("calendar entries: series first, overrides by recurrenceId, all-day and checks", () => {
    const ok = parseCalendarEntries([
      { dtstart: paris("20261201T180000"), dtend: paris("20261201T200000"), rrule: "FREQ=WEEKLY;BYDAY=TU", exdate: [paris("20261215T180000")] },
      { recurrenceId: paris("20261222T180000"), dtstart: paris("20261223T180000"), dtend: paris("20261223T200000"), location: "Salle B" },
    ], "calendar");
    assert.ok(ok.ok);
    assert.equal(ok.value.overrides[0]?.location, "Salle B");
    assert.ok(parseCalendarEntries([{ dtstart: { date: "20261224" }, dtend: { date: "20261225" } }], "c").ok);
    const cases: [unknown, RegExp][] = [
      [[], /non-empty/],
      [[{ dtstart: { date: "20261224" }, dtend: paris("20261225T100000") }], /both be dates or both date-times/],
      [[{ dtstart: paris("20261201T200000"), dtend: paris("20261201T180000") }], /dtend is before dtstart/],
      [[{ dtstart: paris("20261201T180000"), dtend: paris("20261201T200000"), rrule: "WEEKLY" }], /recurrence rule/],
      [[{ dtstart: paris("20261301T180000"), dtend: paris("20261201T200000") }], /YYYYMMDDTHHMMSS/],
      [[{ dtstart: paris("20261201T180000"), dtend: paris("20261201T200000") }, { dtstart: paris("20261201T180000"), dtend: paris("20261201T200000") }], /recurrenceId/],
    ];
    for (const [value, reason] of cases) {
      const p = parseCalendarEntries(value, "c");
      assert.equal(p.ok, false, JSON.stringify(value));
      if (!p.ok) assert.match(p.reason, reason);
    }
  });

  it("root round-trips through build and parse; bodies in French", () => {
    const calendar = { series: { dtstart: { date: "20261224" }, dtend: { date: "20261226" } }, overrides: [] };
    const content = buildEventRoot({ anchor: "$a", uid: "noel@ville-a.fr", fields: { summary: "Fermeture", calendar, attendees: [{ id: "@bob:ville-b.fr" }, { id: "mailto:elu@ville-c.fr", name: "Élu" }], reminders: [60], video: { kind: "jitsi" } } });
    const p = parseEventRoot(content);
    assert.ok(p.ok);
    assert.deepEqual(p.value.fields.calendar, calendar);
    assert.deepEqual(p.value.fields.video, { kind: "jitsi" });
    assert.equal(content["body"], "📅 Fermeture — jeu. 24 déc. 2026 – ven. 25 déc. 2026");
    assert.equal(recurrenceLabelFr("FREQ=WEEKLY;INTERVAL=2"), "toutes les 2 semaines");
    assert.equal(recurrenceLabelFr("FREQ=MONTHLY;INTERVAL=3"), "tous les 3 mois");
    assert.match(eventBodyFr("X", calendar.series, true), /^❌ Annulé/);
    assert.equal(parseEventRoot({ ...content, "fr.entente.event": { version: 2, uid: "x", summary: "s", calendar: [] } }).ok, false);
  });

  it("updates refuse an empty summary, a bad attendee and an http video URL", () => {
    const base = { "m.relates_to": { rel_type: "m.reference", event_id: "$e" }, clock: 1 };
    assert.ok(parseEventUpdate({ ...base, set: { location: null } }).ok);
    assert.equal(parseEventUpdate({ ...base, set: { summary: "" } }).ok, false);
    assert.equal(parseEventUpdate({ ...base, set: { attendees: [{ id: "bob" }] } }).ok, false);
    assert.equal(parseEventUpdate({ ...base, set: { video: { kind: "jitsi", url: "http://meet.fr/x" } } }).ok, false);
    assert.equal(parseEventUpdate({ ...base, clock: -1 }).ok, false);
  });
});
