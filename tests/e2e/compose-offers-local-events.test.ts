// The running homeserver (compose.ts) hands each local event, as its writer has it, to the push
// evaluation (LocalEvents onExecuted → PushService.eventPersisted with the event) and to the
// appservice feeds (onPersisted → Appservices.wake with the event): a local message is evaluated
// without reading it back from the events table. push-offered-events.test.ts wires the push side
// itself to test the evaluation; this one checks the wiring, on both databases.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C } from "../appservice-helpers.ts";
import { onEveryRead } from "../harness/sql-reads.ts";

/** The evaluation's read of the events to evaluate (push-store.ts eventsToEvaluate). */
const EVALUATION_READ = "AND (outlier = 0 OR type = 'm.room.member') AND rejected IS NULL";

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`compose.ts offers local events to push (${db})`, function () {
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

  it("a local message is evaluated without being read back, and bob is notified", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(room)}`, { token: bob.accessToken, body: {} })).status, 200);
    const ctx = t.hs.context;
    await ctx.push.eventPersisted(await ctx.stores.events.maxStream());
    reads = [];
    const r = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(room)}/send/m.room.message/t1`, { token: alice.accessToken, body: { msgtype: "m.text", body: "bonjour" } });
    assert.equal(r.status, 200);
    await ctx.push.eventPersisted(await ctx.stores.events.maxStream());
    const seen = reads;
    reads = undefined;
    assert.deepEqual(seen.filter((q) => q.includes(EVALUATION_READ)), [], "the message is not read back for its evaluation");
    const list = (await call(t.url, "GET", `${C}/notifications`, { token: bob.accessToken })).body.notifications as { event: { event_id: string } }[];
    assert.deepEqual(list.map((x) => x.event.event_id), [r.body.event_id]);
  });
});
