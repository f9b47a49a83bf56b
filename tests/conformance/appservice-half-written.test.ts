// The appservice feeder reading the events stream while a write body is half done (SQLite: reads
// share the writer's connection) must not pass over what that body is writing. The case that lost
// events: an invite from another council to a bot, stored as an outlier and then the membership
// row that makes it the bot's current membership (federation/remote-membership.ts,
// storeOutOfRoomMembership). Read in between, the invite looked stale (not the bot's current
// membership), was not queued, and the feeder's position moved past it: the bot never got it.
// Real SQLite, real stores and feeder; the body is the same statements as the federation path,
// held between them while the feeder reads (a forced interleaving): after persist, and right after
// the events INSERT statement (before persist reads its position back; review R4).
import assert from "node:assert/strict";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { AppserviceStore } from "../../homeserver/src/storage/appservice-store.ts";
import { AppserviceFeeder } from "../../homeserver/src/server/appservice/feeder.ts";
import { compileNamespace } from "../../homeserver/src/server/appservice/namespaces.ts";
import type { AppserviceRegistration } from "../../homeserver/src/server/appservice/registration.ts";
import type { Pdu } from "../../homeserver/src/room/pdu.ts";
import { holdAfterStatement } from "../harness/held-statement.ts";

const users = compileNamespace("@_bot_.*", true);
if (typeof users === "string") throw new Error(users);
const reg = { id: "bot", senderUserId: "@bot:hs", namespaces: { users: [users], aliases: [], rooms: [] }, receiveEphemeral: false } as unknown as AppserviceRegistration;

/**
 * Writes a remote invite to a bot as storeOutOfRoomMembership does (outlier event, then the
 * membership row), held at `hold` while the feeder reads; returns how often the invite was queued
 * during and after the body, and the bot's transaction items.
 */
async function halfWrittenInvite(hold: "after-persist" | "after-insert-statement"): Promise<{ during: number; after: number; items: { json: string }[] }> {
  const db = await openDatabase({ type: "sqlite", path: ":memory:" });
  try {
    const events = new EventStore({ db });
    const rooms = new RoomStore({ db });
    const store = new AppserviceStore({ db });
    await store.initState(reg.id);
    const feeder = new AppserviceFeeder({
      store, clock: { now: () => 0 }, serverName: "hs", settled: () => events.settledPosition(),
      rooms: {
        aliasesOf: async () => [], joinedMembers: async () => [], roomVersion: async (id) => (await rooms.getRoom(id))?.version,
        membershipEventId: (roomId, userId) => rooms.currentStateId(roomId, "m.room.member", userId),
      },
    });
    const roomId = "!far:other";
    const target = "@_bot_1:hs";
    const pdu = { type: "m.room.member", state_key: target, sender: "@alice:other", room_id: roomId, content: { membership: "invite" }, origin_server_ts: 0, depth: 3, prev_events: [], auth_events: [], hashes: { sha256: "" }, signatures: {} } as unknown as Pdu;
    const event = { eventId: "$invite", pdu };
    let stored!: () => void;
    const mid = new Promise<void>((r) => { stored = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const afterInsert = holdAfterStatement(/^\s*INSERT INTO events\b/i);
    void afterInsert.reached.then(stored);
    const body = db.transaction(async (tx) => {
      await rooms.insertRoom(tx, { roomId, version: "12", creator: "@alice:other", ts: 0 });
      // "after-insert-statement": held right after the events INSERT ran, before persist has read
      // back its position (the feeder passes Infinity as its bound: settledPosition must cap it)
      const held = hold === "after-persist" ? tx : afterInsert.wrap(tx);
      const { stream } = await events.persist(held, { event, roomId, stateGroupBefore: undefined, outlier: true });
      if (hold === "after-persist") {
        stored();
        await gate;
      }
      await tx.run(
        `INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_ordering) VALUES (?, 'm.room.member', ?, ?, 'invite', ?)`,
        [roomId, target, event.eventId, stream]);
    });
    await mid;
    const during = await feeder.feed(reg);
    release();
    afterInsert.release();
    await body;
    feeder.forgetTurn();
    const afterBody = await feeder.feed(reg);
    const txn = await store.openTxn(reg.id, 10);
    const items = txn === undefined ? [] : await store.txnItems(reg.id, txn.lastItem);
    return { during: during.queued, after: afterBody.queued, items };
  } finally {
    await db.close();
  }
}

describe("appservice feeder while a remote invite is half written (SQLite)", () => {
  for (const hold of ["after-persist", "after-insert-statement"] as const) {
    it(`queues the invite once its membership row is written, though it read the event before (held ${hold})`, async () => {
      const r = await halfWrittenInvite(hold);
      assert.equal(r.during + r.after, 1, `the invite queued ${r.during} time(s) mid-body and ${r.after} after it`);
      assert.ok(r.items.some((i) => i.json.includes("$invite")), "the bot's transaction carries the invite");
    });
  }
});
