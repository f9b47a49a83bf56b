import assert from "node:assert/strict";
import { parseRoomPowerLevels } from "../power-levels.ts";
import { prng, rawEvent, redactionEvent, rootEvent, shuffled, type RawEvent } from "../test-support.ts";
import { EVENT_RSVP, EVENT_UPDATE } from "./calendar-event-types.ts";
import { foldCalendar, rsvpOf } from "./calendar-fold.ts";
import { buildEventRoot } from "./calendar-root.ts";
import { buildEventRsvp } from "./calendar-rsvp.ts";
import { buildEventUpdate } from "./calendar-update.ts";
import type { CalendarEntries } from "./calendar-dates.ts";

const ALICE = "@alice:ville-a.fr";
const BOB = "@bob:ville-b.fr";
const MOD = "@mod:ville-a.fr";
const levels = parseRoomPowerLevels({ users: { [MOD]: 50 } });
const weekly: CalendarEntries = {
  series: { dtstart: { tzid: "Europe/Paris", value: "20261201T180000" }, dtend: { tzid: "Europe/Paris", value: "20261201T200000" }, rrule: "FREQ=WEEKLY" },
  overrides: [],
};
const root = (id = "$e1", uid = "uid-1", ts = 1000, sender = ALICE): RawEvent =>
  rootEvent(id, sender, ts, buildEventRoot({ anchor: "$anchor", uid, fields: { summary: "Commission travaux", calendar: weekly, location: "Salle du conseil" } }));
const update = (id: string, sender: string, ts: number, clock: number, set: Parameters<typeof buildEventUpdate>[0]["set"], cancel = false): RawEvent =>
  rawEvent(id, EVENT_UPDATE, sender, ts, buildEventUpdate({ root: "$e1", clock, ...(set === undefined ? {} : { set }), cancel }));
const rsvp = (id: string, sender: string, ts: number, status: "accepted" | "declined" | "tentative", rid?: { tzid: string; value: string }): RawEvent =>
  rawEvent(id, EVENT_RSVP, sender, ts, buildEventRsvp({ root: "$e1", status, ...(rid === undefined ? {} : { recurrenceId: rid }) }));
const fold = (events: RawEvent[]) => foldCalendar({ events, anchor: "$anchor", levels });

describe("protocol: calendar fold", () => {
  it("folds a root with its readable French body and defaults", () => {
    const r = root();
    assert.equal(r.content["body"], "📅 Commission travaux — mar. 1 déc. 2026 18:00–20:00 (hebdomadaire)");
    const ev = fold([r]).events.get("$e1");
    assert.ok(ev);
    assert.equal(ev.uid, "uid-1");
    assert.equal(ev.location, "Salle du conseil");
    assert.equal(ev.description, null);
    assert.deepEqual(ev.calendar, weekly);
    assert.equal(ev.cancelled, false);
    assert.deepEqual(ev.origin, { source: "matrix" });
  });

  it("applies updates last-writer-wins per field by (clock, ts, event id), whatever the delivery order", () => {
    const events = [
      root(),
      update("$u1", BOB, 2000, 1, { summary: "Commission voirie", location: "Mairie annexe" }),
      update("$u2", ALICE, 1500, 2, { summary: "Commission travaux et voirie" }),
      update("$u3", BOB, 3000, 2, { description: "Ordre du jour joint" }),
    ];
    const expected = fold(events).events.get("$e1");
    assert.ok(expected);
    assert.equal(expected.summary, "Commission travaux et voirie");
    assert.equal(expected.location, "Mairie annexe");
    assert.equal(expected.description, "Ordre du jour joint");
    assert.equal(expected.clock, 2);
    const rand = prng(14);
    for (let i = 0; i < 20; i++) assert.deepEqual(fold([...shuffled(rand, events), ...shuffled(rand, events)]).events.get("$e1"), expected);
  });

  it("a cancellation is final, and only the creator or the cancel level may cancel", () => {
    const byBob = fold([root(), update("$c1", BOB, 2000, 1, undefined, true)]);
    assert.equal(byBob.events.get("$e1")?.cancelled, false);
    assert.match(byBob.skipped[0]?.reason ?? "", /below cancel/);
    const r = fold([root(), update("$c1", MOD, 2000, 1, undefined, true), update("$u9", ALICE, 3000, 5, { summary: "Revenu" })]);
    assert.equal(r.events.get("$e1")?.cancelled, true);
    assert.equal(r.events.get("$e1")?.summary, "Commission travaux");
    assert.deepEqual(r.skipped, [{ eventId: "$u9", reason: "event was cancelled before this update" }]);
  });

  it("the earliest root of a UID wins; a later duplicate is skipped", () => {
    const r = fold([root("$e2", "uid-1", 2000, BOB), root("$e1", "uid-1", 1000)]);
    assert.deepEqual([...r.events.keys()], ["$e1"]);
    assert.equal(r.byUid.get("uid-1"), "$e1");
    assert.match(r.skipped[0]?.reason ?? "", /duplicate uid/);
  });

  it("RSVPs: the latest per member and occurrence wins; occurrence answers override the series", () => {
    const occ = { tzid: "Europe/Paris", value: "20261208T180000" };
    const r = fold([root(), rsvp("$r1", BOB, 2000, "accepted"), rsvp("$r2", BOB, 3000, "tentative"), rsvp("$r3", BOB, 2500, "declined", occ), rsvp("$r4", ALICE, 2000, "accepted")]);
    const ev = r.events.get("$e1");
    assert.ok(ev);
    assert.equal(rsvpOf(ev, BOB), "tentative");
    assert.equal(rsvpOf(ev, BOB, occ), "declined");
    assert.equal(rsvpOf(ev, BOB, { tzid: "Europe/Paris", value: "20261215T180000" }), "tentative");
    assert.equal(rsvpOf(ev, ALICE), "accepted");
    assert.equal(ev.rsvps.length, 3);
  });

  it("skips malformed content with a reason instead of throwing", () => {
    const bad = rawEvent("$u1", EVENT_UPDATE, BOB, 2000, { "m.relates_to": { rel_type: "m.reference", event_id: "$e1" }, clock: 1, set: { calendar: [{ dtstart: { tzid: "Europe/Paris", value: "2026" } }] } });
    const badRsvp = rawEvent("$r1", EVENT_RSVP, BOB, 2000, { "m.relates_to": { rel_type: "m.reference", event_id: "$e1" }, status: "maybe" });
    const badRoot = rootEvent("$e3", ALICE, 1000, { msgtype: "fr.entente.event", body: "x", "fr.entente.event": { uid: "a/b" }, "m.relates_to": { rel_type: "m.reference", event_id: "$anchor" } });
    const r = fold([root(), bad, badRsvp, badRoot, redactionEvent("$x", ALICE, 5000, "$e1")]);
    assert.equal(r.events.size, 0);
    assert.deepEqual(r.skipped.map((s) => s.eventId), ["$e1", "$e3", "$r1", "$u1"]);
    assert.match(r.skipped.find((s) => s.eventId === "$u1")?.reason ?? "", /dtstart.value must be YYYYMMDDTHHMMSS/);
    assert.match(r.skipped.find((s) => s.eventId === "$e3")?.reason ?? "", /uid/);
  });
  it("an answer mirrored from CalDAV (on_behalf_of) counts as the member's own, only from the cancel level", () => {
    const mirrored = (id: string, sender: string, ts: number, status: "accepted" | "declined") =>
      rawEvent(id, EVENT_RSVP, sender, ts, buildEventRsvp({ root: "$e1", status, onBehalfOf: BOB }));
    const base = [root(), rsvp("$r1", BOB, 2000, "accepted")];
    assert.equal(rsvpOf(fold([...base, mirrored("$m1", MOD, 3000, "declined")]).events.get("$e1")!, BOB), "declined");
    // Bob answers again in Matrix later: his answer wins (latest per member).
    assert.equal(rsvpOf(fold([...base, mirrored("$m1", MOD, 3000, "declined"), rsvp("$r2", BOB, 4000, "accepted")]).events.get("$e1")!, BOB), "accepted");
    const forged = fold([...base, mirrored("$m2", ALICE, 3000, "declined")]);
    assert.equal(rsvpOf(forged.events.get("$e1")!, BOB), "accepted");
    assert.match(forged.skipped.find((s) => s.eventId === "$m2")?.reason ?? "", /on_behalf_of/);
  });

  it("a root mentions its Matrix attendees (m.mentions), not mailto: ones", () => {
    const content = buildEventRoot({ anchor: "$anchor", uid: "u", fields: { summary: "S", calendar: weekly, attendees: [{ id: BOB }, { id: "mailto:elu@ville-c.fr" }, { id: BOB }] } });
    assert.deepEqual(content["m.mentions"], { user_ids: [BOB] });
  });
});
