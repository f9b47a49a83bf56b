// The calendar bot's sync engine against a real Radicale (issue 14 acceptance): create, edit and
// delete on each side, a weekly series with an exception and a moved occurrence, and each time the
// traffic settling: a quiet pass is one sync-collection REPORT and no room event.
import assert from "node:assert/strict";
import { ALICE, CaldavWorld, meeting, paris, quirky } from "./caldav-world.ts";

async function assertQuiet(w: CaldavWorld): Promise<void> {
  const q = await w.quietPass();
  assert.deepEqual({ requests: q.requests, roomEvents: q.roomEvents, remoteWrites: q.stats.remoteWrites }, { requests: 1, roomEvents: 0, remoteWrites: 0 });
}

describe("calendar bot: two-way CalDAV sync (Radicale)", function () {
  this.timeout(60_000);
  let w: CaldavWorld;
  beforeEach(async () => {
    w = await CaldavWorld.start();
  });
  afterEach(async () => {
    await w.stop();
  });

  it("creates on each side: a room event lands in CalDAV at an href from its UID, a CalDAV event lands in the room", async () => {
    const rootId = w.room.createAs(ALICE, "commission-travaux", meeting("Commission travaux", "20261201", { location: "Salle du conseil" }));
    const clientHref = await w.clientPut("visite-chantier", meeting("Visite de chantier", "20261203"));
    await w.settle();
    const remote = await w.remoteObjects();
    assert.deepEqual([...remote.keys()].sort(), ["commission-travaux", "visite-chantier"]);
    assert.equal(remote.get("commission-travaux")?.href, `${w.collection}commission-travaux.ics`);
    assert.equal(remote.get("commission-travaux")?.event.fields.location, "Salle du conseil");
    assert.equal(remote.get("visite-chantier")?.href, clientHref);
    const room = await w.room.load();
    assert.equal(room.get("commission-travaux")?.rootId, rootId);
    const imported = room.get("visite-chantier");
    assert.ok(imported);
    assert.equal(imported.fields.summary, "Visite de chantier");
    assert.deepEqual(imported.fields.calendar.series.dtstart, paris("20261203T180000"));
    assert.equal(w.room.events.length, 2, "one root per event, nothing echoed");
    await assertQuiet(w);
  });

  it("edits on each side reach the other, without echo", async () => {
    const rootId = w.room.createAs(ALICE, "conseil", meeting("Conseil municipal"));
    await w.clientPut("bureau", meeting("Bureau communautaire", "20261202"));
    await w.settle();
    w.room.updateAs(ALICE, rootId, { location: "Mairie annexe", reminders: [30] });
    const bureau = (await w.remoteObjects()).get("bureau");
    assert.ok(bureau);
    await w.clientPut("bureau", { ...bureau.event.fields, summary: "Bureau communautaire (reporté)", calendar: { series: { dtstart: paris("20261209T090000"), dtend: paris("20261209T110000") }, overrides: [] } });
    const roomEventsBefore = w.room.events.length;
    await w.settle();
    const remote = await w.remoteObjects();
    assert.equal(remote.get("conseil")?.event.fields.location, "Mairie annexe");
    assert.deepEqual(remote.get("conseil")?.event.fields.reminders, [30]);
    const room = await w.room.load();
    assert.equal(room.get("bureau")?.fields.summary, "Bureau communautaire (reporté)");
    assert.deepEqual(room.get("bureau")?.fields.calendar.series.dtstart, paris("20261209T090000"));
    assert.equal(w.room.events.length, roomEventsBefore + 1, "one update for the CalDAV edit, none for the room's own edit");
    await assertQuiet(w);
  });

  it("deletes on each side: a cancellation deletes the object, a deleted object cancels the event", async () => {
    const rootId = w.room.createAs(ALICE, "reunion-a", meeting("Réunion A"));
    const hrefB = await w.clientPut("reunion-b", meeting("Réunion B", "20261204"));
    await w.settle();
    w.room.cancelAs(ALICE, rootId);
    const b = await w.client.get(hrefB);
    assert.equal((await w.client.remove(hrefB, b?.etag)).status, "ok");
    await w.settle();
    assert.deepEqual([...(await w.remoteObjects()).keys()], []);
    const room = await w.room.load();
    assert.equal(room.get("reunion-a")?.cancelled, true);
    assert.equal(room.get("reunion-b")?.cancelled, true);
    await assertQuiet(w);
  });

  it("a weekly series with one exception and one moved occurrence, both ways", async () => {
    const series = meeting("Commission voirie", "20261006", {
      calendar: {
        series: { dtstart: paris("20261006T180000"), dtend: paris("20261006T200000"), rrule: "FREQ=WEEKLY;BYDAY=TU", exdate: [paris("20261020T180000")] },
        overrides: [{ recurrenceId: paris("20261027T180000"), dtstart: paris("20261029T170000"), dtend: paris("20261029T190000"), location: "Salle B" }],
      },
    });
    await w.clientPut("voirie", series);
    await w.settle();
    const room = await w.room.load();
    const ev = room.get("voirie");
    assert.ok(ev);
    assert.deepEqual(ev.fields.calendar, series.calendar);
    // In the room: one more exception and one more moved occurrence.
    const calendar = {
      series: { ...series.calendar.series, exdate: [paris("20261020T180000"), paris("20261110T180000")] },
      overrides: [...series.calendar.overrides, { recurrenceId: paris("20261117T180000"), dtstart: paris("20261118T180000"), dtend: paris("20261118T200000") }],
    };
    w.room.updateAs(ALICE, ev.rootId, { calendar });
    await w.settle();
    const remote = (await w.remoteObjects()).get("voirie");
    assert.deepEqual(remote?.event.fields.calendar, calendar);
    const ics = (await w.client.get(remote?.href ?? ""))?.data ?? "";
    assert.equal(ics.match(/BEGIN:VEVENT/g)?.length, 3, "series + two RECURRENCE-ID overrides");
    assert.match(ics, /EXDATE;TZID=Europe\/Paris:20261110T180000/);
    await assertQuiet(w);
  });

  it("falls back to the ctag when sync-collection is refused, with the same result", async () => {
    await w.restartBot((c) => quirky(c, { syncCollection: () => Promise.resolve({ kind: "unsupported" }) }));
    w.room.createAs(ALICE, "ctag-a", meeting("A"));
    await w.clientPut("ctag-b", meeting("B", "20261205"));
    await w.settle();
    assert.deepEqual([...(await w.remoteObjects()).keys()].sort(), ["ctag-a", "ctag-b"]);
    assert.equal((await w.room.load()).size, 2);
    const q = await w.quietPass();
    assert.deepEqual({ requests: q.requests, roomEvents: q.roomEvents }, { requests: 1, roomEvents: 0 }, "one PROPFIND of the ctag");
    assert.ok(w.logs.some((l) => l.includes("using the ctag")));
  });
});
