// A long-poll woken by another member's message reads neither the user's client transaction ids
// nor their forgotten rooms (nothing of theirs to mark, no room left): those reads happen only when
// a section needs them. The sender's own /sync still carries the transaction id of its event.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C } from "../appservice-helpers.ts";
import { onEveryRead } from "../harness/sql-reads.ts";

const TXN_READ = "FROM event_txns t JOIN events e";
const FORGOTTEN_READ = "FROM room_forgotten";

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`woken /sync reads only what it needs (${db})`, function () {
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

  it("a reader's woken long-poll skips the txn ids and forgotten rooms; the sender's sync keeps its txn id", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(room)}`, { token: bob.accessToken, body: {} })).status, 200);
    const since = async (token: string): Promise<string> => (await call(t.url, "GET", `${C}/sync?timeout=0`, { token })).body.next_batch as string;
    const [bobSince, aliceSince] = [await since(bob.accessToken), await since(alice.accessToken)];

    reads = [];
    const woken = call(t.url, "GET", `${C}/sync?timeout=10000&since=${bobSince}`, { token: bob.accessToken });
    const sent = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(room)}/send/m.room.message/t1`, { token: alice.accessToken, body: { msgtype: "m.text", body: "bonjour" } });
    assert.equal(sent.status, 200);
    const got = await woken;
    const seen = reads;
    reads = undefined;
    const events = got.body.rooms?.join?.[room]?.timeline?.events as { event_id: string; unsigned?: { transaction_id?: string } }[] | undefined;
    assert.ok(events?.some((e) => e.event_id === sent.body.event_id), "bob's long-poll holds the message");
    assert.equal(events?.find((e) => e.event_id === sent.body.event_id)?.unsigned?.transaction_id, undefined);
    assert.deepEqual(seen.filter((q) => q.includes(TXN_READ) || q.includes(FORGOTTEN_READ)), [], "no txn-id or forgotten-room read for bob");

    reads = [];
    const own = await call(t.url, "GET", `${C}/sync?timeout=0&since=${aliceSince}`, { token: alice.accessToken });
    const ownReads = reads;
    reads = undefined;
    const mine = (own.body.rooms.join[room].timeline.events as { event_id: string; unsigned?: { transaction_id?: string } }[]).find((e) => e.event_id === sent.body.event_id);
    assert.equal(mine?.unsigned?.transaction_id, "t1", "the sender's device gets its transaction id");
    assert.ok(ownReads.some((q) => q.includes(TXN_READ)), "read when the section holds the user's own event");
  });
});
