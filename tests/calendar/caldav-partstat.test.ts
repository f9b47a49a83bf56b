// Answers both ways between the room and CalDAV (issue 14 invitations): a member's RSVP reaches
// CalDAV as ATTENDEE;PARTSTAT, and a PARTSTAT changed in the groupware comes back as an RSVP the
// bot sends on the member's behalf; neither echoes (a quiet pass afterwards is one request).
import assert from "node:assert/strict";
import { buildIcs } from "../../appservices/calendar/src/ics/ics-build.ts";
import { rsvpOf } from "../../appservices/calendar/src/protocol.ts";
import { foldCalendar, parseRoomPowerLevels } from "../../appservices/calendar/src/protocol.ts";
import { ALICE, CaldavWorld, meeting } from "./caldav-world.ts";

const BOB = "@bob:agglo-b.fr";

describe("calendar bot: RSVP ↔ PARTSTAT (Radicale)", function () {
  this.timeout(60_000);
  let w: CaldavWorld;
  before(async () => {
    w = await CaldavWorld.start();
  });
  after(async () => {
    await w.stop();
  });
  const bobsAnswer = (): string | undefined => {
    const ev = [...foldCalendar({ events: w.room.events, anchor: w.room.anchor, levels: parseRoomPowerLevels({ users: { [w.room.botUserId]: 50 } }) }).events.values()][0];
    return ev === undefined ? undefined : rsvpOf(ev, BOB);
  };

  it("a PARTSTAT changed in the groupware becomes the member's RSVP in the room, once", async () => {
    const fields = meeting("Commission voirie", "20261201", { attendees: [{ id: ALICE }, { id: BOB }] });
    const rootId = w.room.createAs(ALICE, "commission", fields);
    await w.settle();
    const obj = (await w.remoteObjects()).get("commission");
    assert.equal(obj?.event.partstats.get(BOB), "NEEDS-ACTION");
    // Bob accepts in his groupware (it rewrites the object with his PARTSTAT).
    const res = await w.client.update(obj?.href ?? "", buildIcs({ uid: "commission", fields, rsvps: [{ userId: BOB, status: "accepted" }] }, Date.now()), obj?.etag);
    assert.equal(res.status, "ok");
    const events = w.room.events.length;
    await w.settle();
    assert.equal(bobsAnswer(), "accepted");
    const mirrored = w.room.events.slice(events);
    assert.equal(mirrored.length, 1, "one RSVP, no update");
    assert.deepEqual(mirrored[0]?.content["on_behalf_of"], BOB);
    assert.equal(mirrored[0]?.content["m.relates_to"] && (mirrored[0].content["m.relates_to"] as Record<string, unknown>)["event_id"], rootId);
    const q = await w.quietPass();
    assert.deepEqual({ requests: q.requests, roomEvents: q.roomEvents, remoteWrites: q.stats.remoteWrites }, { requests: 1, roomEvents: 0, remoteWrites: 0 });
  });

  it("the member answers again in the room: CalDAV gets DECLINED, nothing comes back", async () => {
    const rootId = [...(await w.room.load()).values()][0]?.rootId ?? "";
    w.room.rsvpAs(BOB, rootId, "declined");
    const events = w.room.events.length;
    await w.settle();
    assert.equal((await w.remoteObjects()).get("commission")?.event.partstats.get(BOB), "DECLINED");
    assert.equal(bobsAnswer(), "declined");
    assert.equal(w.room.events.length, events, "no RSVP mirrored back from our own write");
    const q = await w.quietPass();
    assert.deepEqual({ requests: q.requests, roomEvents: q.roomEvents }, { requests: 1, roomEvents: 0 });
  });
});
