// EventStore.settledPosition must cap a position read while a write group holding events is open
// (SQLite: reads share the writer's connection) at the newest position stored before that group,
// whatever bound the caller passes, also in the tick between the group's first events INSERT and
// persist reading its position back: callers reading an unbounded range (a /messages page without
// `to`, the appservice feeder) pass Infinity. Real SQLite and EventStore; the body is held right
// after its events INSERT statement (tests/harness/held-statement.ts), then after persist.
import assert from "node:assert/strict";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import type { Pdu } from "../../homeserver/src/room/pdu.ts";
import { holdAfterStatement } from "../harness/held-statement.ts";

const pdu = (body: string): Pdu => ({ type: "m.room.message", sender: "@a:hs", room_id: "!r:hs", content: { body }, origin_server_ts: 0, depth: 1, prev_events: [], auth_events: [], hashes: { sha256: "" }, signatures: {} }) as unknown as Pdu;

describe("EventStore.settledPosition while a group with events is open (SQLite)", () => {
  for (const hold of ["after-insert-statement", "after-persist"] as const) {
    it(`caps any bound at the newest position stored before the group (held ${hold})`, async () => {
      const db = await openDatabase({ type: "sqlite", path: ":memory:" });
      try {
        const events = new EventStore({ db });
        const { stream: committed } = await db.transaction((tx) => events.persist(tx, { event: { eventId: "$one", pdu: pdu("one") }, roomId: "!r:hs", stateGroupBefore: undefined, outlier: true }));
        const held = holdAfterStatement(/^\s*INSERT INTO events\b/i);
        let persisted!: () => void;
        const afterPersist = new Promise<void>((r) => { persisted = r; });
        let release!: () => void;
        const gate = new Promise<void>((r) => { release = r; });
        const body = db.transaction(async (tx) => {
          const { stream } = await events.persist(hold === "after-persist" ? tx : held.wrap(tx), { event: { eventId: "$two", pdu: pdu("two") }, roomId: "!r:hs", stateGroupBefore: undefined, outlier: true });
          persisted();
          await gate;
          return stream;
        });
        await (hold === "after-persist" ? afterPersist : held.reached);
        const settled = events.settledPosition();
        const caps = [Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER, committed + 1, committed, committed - 1].map(settled);
        held.release();
        release();
        const second = await body;
        assert.ok(second > committed);
        assert.deepEqual(caps, [committed, committed, committed, committed, committed - 1], `the caps read mid-body (committed ${committed}, open ${second})`);
        assert.equal(events.settledPosition()(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY, "no cap once the group committed");
      } finally {
        await db.close();
      }
    });
  }
});
