// A long-poll woken by a message reads neither the reader's read positions (receipts, SQLite) nor a
// count of push actions when neither moved the reader's way: the read positions are kept while the
// receipts stream stays (every receipt write takes a new position), and the unread count kept up
// to the evaluation's previous position takes the recorded batch's actions from memory
// (unread-cache.ts `recorded`). The counts stay those of a full count; a receipt makes the next
// /sync read them again.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C } from "../appservice-helpers.ts";
import { onEveryRead } from "../harness/sql-reads.ts";
import { roomUnread } from "../../homeserver/src/server/push/unread-counts.ts";

const READ_POSITIONS = "FROM receipts r ";
const COUNT = "FROM push_actions_by_event a ";

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`woken /sync reads no unread count it keeps (${db})`, function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  /** SQL text of every `all` read made on the homeserver's database while recording. */
  let reads: string[] | undefined;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    t = await startTestHomeserver({ db });
    onEveryRead(t.hs.context.db, () => reads);
  });
  after(async () => {
    await t?.stop();
  });

  it("a reader with unread messages: woken by one more, no read-position read and no count; a receipt reads them again", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(room)}`, { token: bob.accessToken, body: {} })).status, 200);
    let n = 0;
    const send = async (): Promise<string> => {
      const r = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(room)}/send/m.room.message/t${n++}`, { token: alice.accessToken, body: { msgtype: "m.text", body: `message ${n}` } });
      assert.equal(r.status, 200);
      return r.body.event_id as string;
    };
    type Counts = { notification_count: number; highlight_count: number };
    const unreadOf = (body: Record<string, unknown>): Counts | undefined =>
      (body as { rooms?: { join?: Record<string, { unread_notifications?: Counts }> } }).rooms?.join?.[room]?.unread_notifications;
    const fullCount = async (): Promise<number> => {
      const ctx = t.hs.context;
      const upTo = await ctx.stores.events.maxStream();
      await ctx.push.eventPersisted(upTo);
      return (await roomUnread(ctx.push.store, bob.userId, room, upTo)).total.notifications;
    };
    await send();
    await send();
    let since = (await call(t.url, "GET", `${C}/sync?timeout=0`, { token: bob.accessToken })).body.next_batch as string;
    // two rounds: the first sync after the full one keeps what it read
    for (let round = 0; round < 3; round++) {
      reads = [];
      const woken = call(t.url, "GET", `${C}/sync?timeout=10000&since=${since}`, { token: bob.accessToken });
      await send();
      const got = await woken;
      const seen = reads;
      reads = undefined;
      since = got.body.next_batch as string;
      assert.equal(unreadOf(got.body)?.notification_count, 3 + round);
      assert.equal(await fullCount(), 3 + round);
      if (round === 0) continue;
      // SQLite only: on PostgreSQL a receipt's sequence value can commit after a larger one, so
      // the receipts position does not say every receipt was seen
      if (db === "sqlite") assert.deepEqual(seen.filter((q) => q.includes(READ_POSITIONS)), [], `round ${round}: no read-position read`);
      assert.deepEqual(seen.filter((q) => q.includes(COUNT)), [], `round ${round}: no count of push actions`);
    }
    // bob reads up to the newest message: his next /sync reads the positions and counts 0
    const last = await send();
    assert.equal((await call(t.url, "POST", `${C}/rooms/${encodeURIComponent(room)}/receipt/m.read/${encodeURIComponent(last)}`, { token: bob.accessToken, body: {} })).status, 200);
    reads = [];
    const read = await call(t.url, "GET", `${C}/sync?timeout=0&since=${since}`, { token: bob.accessToken });
    const afterReceipt = reads;
    reads = undefined;
    since = read.body.next_batch as string;
    assert.ok(afterReceipt.some((q) => q.includes(READ_POSITIONS)), "the receipt moved: read positions read again");
    assert.equal(unreadOf(read.body)?.notification_count, 0);
    const got = await Promise.all([call(t.url, "GET", `${C}/sync?timeout=10000&since=${since}`, { token: bob.accessToken }), send()]);
    assert.equal(unreadOf(got[0].body)?.notification_count, 1);
    assert.equal(await fullCount(), 1);
  });

  it("read positions with a receipt for an event not stored (yet) are read again by each /sync", async () => {
    const carole = await registerUser(t.url, "carole");
    const dan = await registerUser(t.url, "dan");
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: carole.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(room)}`, { token: dan.accessToken, body: {} })).status, 200);
    // as a receipt received over federation before its event: the event may come later and move
    // dan's read position with no receipt write
    await t.hs.context.stores.streams.putReceipt({ roomId: room, receiptType: "m.read", userId: dan.userId, threadId: "", eventId: "$pas-encore:ailleurs.example", ts: 1 });
    let n = 0;
    const send = async (): Promise<void> => {
      const r = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(room)}/send/m.room.message/u${n++}`, { token: carole.accessToken, body: { msgtype: "m.text", body: `message ${n}` } });
      assert.equal(r.status, 200);
    };
    await send();
    let since = (await call(t.url, "GET", `${C}/sync?timeout=0`, { token: dan.accessToken })).body.next_batch as string;
    for (let round = 0; round < 2; round++) {
      reads = [];
      const [got] = await Promise.all([call(t.url, "GET", `${C}/sync?timeout=10000&since=${since}`, { token: dan.accessToken }), send()]);
      const seen = reads;
      reads = undefined;
      since = got.body.next_batch as string;
      assert.ok(seen.some((q) => q.includes(READ_POSITIONS)), `round ${round}: read positions read again`);
    }
  });
});
