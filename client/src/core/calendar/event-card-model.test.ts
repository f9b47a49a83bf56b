import assert from "node:assert/strict";
import { buildEventRoot } from "../../../../appservices/protocol/src/calendar/calendar-root.ts";
import { buildEventUpdate } from "../../../../appservices/protocol/src/calendar/calendar-update.ts";
import { currentCards, eventCardOf, formatEventWhen, wallClockToInstant } from "./event-card-model.ts";

const root = (fields: Record<string, unknown>): Record<string, unknown> => buildEventRoot({
  anchor: "$anchor", uid: "commission@ville-a.fr",
  fields: { summary: "Commission travaux", calendar: { series: { dtstart: { tzid: "Europe/Paris", value: "20261201T180000" }, dtend: { tzid: "Europe/Paris", value: "20261201T200000" } }, overrides: [] }, ...fields } as never,
});

describe("client calendar event card", () => {
  it("reads an event root's summary, dates, location and video; not other messages", () => {
    const card = eventCardOf(root({ location: "Mairie annexe", video: { kind: "jitsi" } }));
    assert.deepEqual(card && [card.uid, card.summary, card.location, card.video, card.recurring], ["commission@ville-a.fr", "Commission travaux", "Mairie annexe", { kind: "jitsi" }, false]);
    assert.equal(eventCardOf({ msgtype: "m.text", body: "x" }), undefined);
    assert.equal(eventCardOf({ msgtype: "fr.entente.event", body: "x", "fr.entente.event": { version: 1 } }), undefined);
  });

  it("turns wall clock + zone into the instant, across DST", () => {
    assert.equal(wallClockToInstant("20261201T180000", "Europe/Paris"), Date.UTC(2026, 11, 1, 17, 0));
    assert.equal(wallClockToInstant("20260701T180000", "Europe/Paris"), Date.UTC(2026, 6, 1, 16, 0));
    assert.equal(wallClockToInstant("20261201T180000", "UTC"), Date.UTC(2026, 11, 1, 18, 0));
    assert.equal(wallClockToInstant("20260329T023000", "Europe/Paris"), Date.UTC(2026, 2, 29, 1, 30), "in the spring gap: offset before the gap");
    assert.equal(wallClockToInstant("20261201T180000", "Mars/Olympus"), undefined);
  });

  it("shows the time in the agent's own zone, in French or English; all-day events as written", () => {
    const card = eventCardOf(root({}));
    if (card === undefined) throw new Error("no card");
    assert.equal(formatEventWhen(card, "fr", "Europe/Paris", "journée"), "mardi 1 décembre 2026 à 18:00 – 20:00");
    assert.equal(formatEventWhen(card, "fr", "America/Cayenne", "journée"), "mardi 1 décembre 2026 à 14:00 – 16:00");
    assert.match(formatEventWhen(card, "en", "Pacific/Noumea", "all day"), /^Wednesday,? 2 December 2026 at 04:00 – 06:00$/);
    const allDay = eventCardOf(root({ calendar: { series: { dtstart: { date: "20261224" }, dtend: { date: "20261225" } }, overrides: [] } }));
    if (allDay === undefined) throw new Error("no card");
    assert.equal(formatEventWhen(allDay, "fr", "Pacific/Noumea", "toute la journée"), "jeudi 24 décembre 2026 (toute la journée)");
  });

  it("folds the loaded timeline: a moved event shows its new time, a cancelled one says so; no root, no fold", () => {
    let n = 0;
    const ev = (sender: string, type: string, content: Record<string, unknown>) => ({ event_id: `$e${++n}`, room_id: "!r:x", type, sender, origin_server_ts: 1000 + n, content });
    const rootEv = ev("@anne:x", "m.room.message", root({ video: { kind: "jitsi" } }));
    const moved = ev("@bob:x", "fr.entente.event.update", buildEventUpdate({ root: rootEv.event_id, clock: 1, set: { calendar: { series: { dtstart: { tzid: "Europe/Paris", value: "20261201T190000" }, dtend: { tzid: "Europe/Paris", value: "20261201T210000" } }, overrides: [] } } }));
    const levels = { users: { "@anne:x": 100 } };
    const card = currentCards([rootEv, moved], levels).get("commission@ville-a.fr");
    assert.equal(card && formatEventWhen(card, "fr", "Europe/Paris", "journée"), "mardi 1 décembre 2026 à 19:00 – 21:00");
    assert.equal(card?.cancelled, false);
    const cancelledByMember = ev("@bob:x", "fr.entente.event.update", buildEventUpdate({ root: rootEv.event_id, clock: 2, cancel: true }));
    assert.equal(currentCards([rootEv, moved, cancelledByMember], levels).get("commission@ville-a.fr")?.cancelled, false, "cancel needs level 50 unless own event");
    const cancelled = ev("@anne:x", "fr.entente.event.update", buildEventUpdate({ root: rootEv.event_id, clock: 3, cancel: true }));
    assert.equal(currentCards([rootEv, moved, cancelled], levels).get("commission@ville-a.fr")?.cancelled, true);
    assert.equal(currentCards([ev("@a:x", "m.room.message", { msgtype: "m.text", body: "x" })], levels).size, 0);
  });
});
