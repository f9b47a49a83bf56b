// A room the reader muted (room rule dont_notify) and never reads: its count is zero over a range
// that grows with every message, and each message wakes the reader's long-poll. The zero count is
// kept (unread-cache.ts) and moved past each recorded batch that has nothing for the reader, so the
// woken /sync reads no push action nor recipient set (a count over more than 256 positions probes
// every set of the reader in the room). A mention still counts, from the batch; the counts stay
// those of a full count.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C } from "../appservice-helpers.ts";
import { onEveryRead } from "../harness/sql-reads.ts";
import { roomUnread } from "../../homeserver/src/server/push/unread-counts.ts";

const PUSH_READ = /push_actions_by_event|push_recipient_sets/;

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`woken /sync of a muted room reads no count (${db})`, function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  let reads: string[] | undefined;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    t = await startTestHomeserver({ db });
    onEveryRead(t.hs.context.db, () => reads);
  });
  after(async () => {
    await t?.stop();
  });

  it("zero unread in a muted room: each woken /sync reads no count; a mention counts 1 without a read", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(room)}`, { token: bob.accessToken, body: {} })).status, 200);
    assert.equal((await call(t.url, "PUT", `${C}/pushrules/global/room/${encodeURIComponent(room)}`, { token: bob.accessToken, body: { actions: ["dont_notify"] } })).status, 200);
    let n = 0;
    const send = async (mention = false): Promise<void> => {
      const body = mention ? { msgtype: "m.text", body: `bob: ${n}`, "m.mentions": { user_ids: [bob.userId] } } : { msgtype: "m.text", body: `message ${n}` };
      const r = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(room)}/send/m.room.message/t${n++}`, { token: alice.accessToken, body });
      assert.equal(r.status, 200);
    };
    type Counts = { notification_count: number; highlight_count: number };
    const unreadOf = (body: Record<string, unknown>): Counts | undefined =>
      (body as { rooms?: { join?: Record<string, { unread_notifications?: Counts }> } }).rooms?.join?.[room]?.unread_notifications;
    const fullCount = async (): Promise<Counts> => {
      const ctx = t.hs.context;
      const upTo = await ctx.stores.events.maxStream();
      await ctx.push.eventPersisted(upTo);
      const u = (await roomUnread(ctx.push.store, bob.userId, room, upTo)).total;
      return { notification_count: u.notifications, highlight_count: u.highlights };
    };
    for (let i = 0; i < 3; i++) await send();
    let since = (await call(t.url, "GET", `${C}/sync?timeout=0`, { token: bob.accessToken })).body.next_batch as string;
    const round = async (mention: boolean, label: string): Promise<Counts | undefined> => {
      reads = [];
      const woken = call(t.url, "GET", `${C}/sync?timeout=10000&since=${since}`, { token: bob.accessToken });
      await send(mention);
      const got = await woken;
      const seen = reads;
      reads = undefined;
      since = got.body.next_batch as string;
      assert.deepEqual(seen.filter((q) => PUSH_READ.test(q)), [], `${label}: no count of push actions`);
      return unreadOf(got.body);
    };
    // the first woken /sync may count what the initial one left (its evaluation's batch)
    reads = [];
    since = (await Promise.all([call(t.url, "GET", `${C}/sync?timeout=10000&since=${since}`, { token: bob.accessToken }), send()]))[0].body.next_batch as string;
    reads = undefined;
    for (let i = 0; i < 4; i++) {
      const u = await round(false, `muted message ${i}`);
      assert.equal(u?.notification_count ?? 0, 0);
    }
    assert.deepEqual(await fullCount(), { notification_count: 0, highlight_count: 0 });
    const mentioned = await round(true, "mention");
    assert.deepEqual(mentioned, { notification_count: 1, highlight_count: 1 });
    assert.deepEqual(await fullCount(), { notification_count: 1, highlight_count: 1 });
    const after = await round(false, "muted message after the mention");
    assert.deepEqual(after ?? { notification_count: 1, highlight_count: 1 }, { notification_count: 1, highlight_count: 1 });
  });
});
