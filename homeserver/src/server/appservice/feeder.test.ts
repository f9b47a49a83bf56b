// The feeder writes its stream position only with queued items, or every FLUSH_EVERY positions:
// events no appservice wants cost no write transaction (issue 16).
import assert from "node:assert/strict";
import { AppserviceStore, type QueueItem, type StreamEventRow, type StreamName } from "../../storage/appservice-store.ts";
import { openDatabase } from "../../storage/open-database.ts";
import type { Database } from "../../storage/sql.ts";
import type { Pdu } from "../../room/pdu.ts";
import { AppserviceFeeder, FLUSH_EVERY } from "./feeder.ts";
import { compileNamespace } from "./namespaces.ts";
import type { AppserviceRegistration } from "./registration.ts";

/** An events stream held in memory; advance() is counted and checked like the SQL one. */
class StreamStub extends AppserviceStore {
  events: StreamEventRow[] = [];
  stored = 0;
  advances: { from: number; to: number; items: number }[] = [];
  override async state(): Promise<{ eventsPos: number; receiptsPos: number; txn: undefined }> {
    return { eventsPos: this.stored, receiptsPos: 0, txn: undefined };
  }
  reads = 0;
  override async eventsAfter(pos: number, limit: number): Promise<StreamEventRow[]> {
    this.reads++;
    return this.events.filter((e) => e.stream > pos).slice(0, limit);
  }
  override async advance(_as: string, stream: StreamName, from: number, to: number, items: readonly QueueItem[]): Promise<boolean> {
    assert.equal(stream, "events");
    if (from !== this.stored) return false;
    this.advances.push({ from, to, items: items.length });
    this.stored = to;
    return true;
  }
  add(sender: string): void {
    const stream = this.events.length + 1;
    const pdu = { type: "m.room.message", sender, room_id: "!r:hs", content: { body: "x" }, origin_server_ts: 0, depth: stream, prev_events: [], auth_events: [], hashes: { sha256: "" }, signatures: {} };
    this.events.push({ stream, eventId: `$e${stream}`, roomId: "!r:hs", sender, type: pdu.type, stateKey: undefined, json: JSON.stringify(pdu), redactedBy: undefined, visible: true, outlier: false });
  }
  /** A membership stored as an outlier (a room we are not in), of `target`. */
  addOutlierMembership(target: string, membership: string): string {
    const stream = this.events.length + 1;
    const pdu = { type: "m.room.member", state_key: target, sender: "@alice:other", room_id: "!far:other", content: { membership }, origin_server_ts: 0, depth: stream, prev_events: [], auth_events: [], hashes: { sha256: "" }, signatures: {} };
    this.events.push({ stream, eventId: `$m${stream}`, roomId: "!far:other", sender: pdu.sender, type: pdu.type, stateKey: target, json: JSON.stringify(pdu), redactedBy: undefined, visible: true, outlier: true });
    return `$m${stream}`;
  }
}

const users = compileNamespace("@_bot_.*", true);
if (typeof users === "string") throw new Error(users);
const reg = { id: "bot", senderUserId: "@bot:hs", namespaces: { users: [users], aliases: [], rooms: [] }, receiveEphemeral: false } as const satisfies Partial<AppserviceRegistration>;

describe("appservice feeder stream position", () => {
  let db: Database;
  let store: StreamStub;
  let feeder: AppserviceFeeder;
  /** The current membership event of each user in the far room. */
  let memberships: Map<string, string>;
  beforeEach(async () => {
    db = await openDatabase({ type: "sqlite", path: ":memory:" });
    store = new StreamStub({ db });
    memberships = new Map();
    const rooms = { aliasesOf: async () => [], joinedMembers: async () => ["@alice:hs"], roomVersion: async () => "12", membershipEventId: async (_room: string, user: string) => memberships.get(user) };
    feeder = new AppserviceFeeder({ store, rooms, clock: { now: () => 0 }, serverName: "hs" });
  });
  afterEach(() => db.close());
  const feed = (): Promise<{ queued: number; more: boolean }> => feeder.feed(reg as unknown as AppserviceRegistration);

  it("writes nothing for events it does not want, and stores the position with the next wanted one", async () => {
    for (let i = 0; i < 10; i++) {
      store.add("@alice:hs");
      assert.deepEqual(await feed(), { queued: 0, more: false });
    }
    assert.deepEqual(store.advances, []);
    store.add("@_bot_1:hs");
    assert.deepEqual(await feed(), { queued: 1, more: false });
    assert.deepEqual(store.advances, [{ from: 0, to: 11, items: 1 }]);
  });

  it("stores the position at least every FLUSH_EVERY events, so a restart re-reads a bounded stretch", async () => {
    for (let i = 0; i < FLUSH_EVERY + 10; i++) store.add("@alice:hs");
    while ((await feed()).more);
    assert.equal(store.advances.length, 1);
    assert.ok(store.stored >= FLUSH_EVERY && store.stored <= FLUSH_EVERY + 10, `stored ${store.stored}`);
  });

  it("reads the stored position again when another feeder moved it", async () => {
    store.add("@alice:hs");
    await feed();
    store.stored = 1; // another process queued event 1 meanwhile
    store.add("@_bot_1:hs");
    assert.deepEqual(await feed(), { queued: 0, more: true }); // its advance from 0 was refused
    assert.deepEqual(await feed(), { queued: 1, more: false });
    assert.deepEqual(store.advances, [{ from: 1, to: 2, items: 1 }]);
  });

  it("queues an out-of-room membership of its user only while it is that user's membership", async () => {
    const invite = store.addOutlierMembership("@_bot_1:hs", "invite");
    memberships.set("@_bot_1:hs", invite);
    assert.deepEqual(await feed(), { queued: 1, more: false }, "an invite from another council to the bot");
    const old = store.addOutlierMembership("@_bot_1:hs", "invite");
    assert.notEqual(old, memberships.get("@_bot_1:hs"));
    assert.deepEqual(await feed(), { queued: 0, more: false }, "an older membership fetched as an auth event");
    memberships.set("@carol:hs", store.addOutlierMembership("@carol:hs", "invite"));
    assert.deepEqual(await feed(), { queued: 0, more: false }, "someone else's invite");
  });

  it("decides from offered local events without reading the stream, and reads when one is wanted or a position was not offered", async () => {
    const offer = (i: number): void => {
      const e = store.events[i]!;
      feeder.offer({ stream: e.stream, roomId: e.roomId, event: { eventId: e.eventId, pdu: JSON.parse(e.json) as Pdu } });
    };
    for (let i = 0; i < 5; i++) {
      store.add("@alice:hs");
      offer(i);
      assert.deepEqual(await feed(), { queued: 0, more: false });
    }
    assert.equal(store.reads, 0, "five unwanted local events, no read");
    assert.deepEqual(store.advances, []);
    // a wanted one is read from the stream and queued
    store.add("@_bot_1:hs");
    offer(5);
    assert.deepEqual(await feed(), { queued: 1, more: false });
    assert.equal(store.reads, 1);
    assert.deepEqual(store.advances, [{ from: 0, to: 6, items: 1 }]);
    // a position not offered (a remote event) before an offered one: read
    store.add("@alice:hs");
    store.add("@alice:hs");
    offer(7);
    assert.deepEqual(await feed(), { queued: 0, more: false });
    assert.equal(store.reads, 2);
    store.add("@alice:hs");
    offer(8);
    assert.deepEqual(await feed(), { queued: 0, more: false });
    assert.equal(store.reads, 2, "after the read, the next offered one is not read");
  });

  it("reads once more after skipping offered events when a wake-up offered none: a remote event right after them is not left to the poll (review R18)", async () => {
    const offer = (i: number): void => {
      const e = store.events[i]!;
      feeder.offer({ stream: e.stream, roomId: e.roomId, event: { eventId: e.eventId, pdu: JSON.parse(e.json) as Pdu } });
    };
    store.add("@alice:hs");
    offer(0);
    assert.deepEqual(await feed(), { queued: 0, more: false }, "no other wake-up: nothing more");
    // one turn: a local event (offered) then a remote one the appservice wants (not offered)
    store.add("@alice:hs");
    offer(1);
    store.add("@_bot_1:hs");
    feeder.wokenWithoutEvent();
    assert.deepEqual(await feed(), { queued: 0, more: true }, "the skip says more is waiting");
    assert.deepEqual(await feed(), { queued: 1, more: false }, "the next feed reads and queues the remote event");
  });
});
