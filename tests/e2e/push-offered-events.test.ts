// A local message handed to the push evaluation by its writer (PushService.eventPersisted with the
// event, from LocalEvents onExecuted) is evaluated without reading it back from the events table;
// its notifications are those a read gives (mention, plain message, the sender's own left out). A
// state event is still read. The wiring is compose.ts's (`onExecuted: (p) => push.eventPersisted(p.stream, p)`):
// this test puts it on the running homeserver's LocalEvents itself.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C } from "../appservice-helpers.ts";
import { onEveryRead } from "../harness/sql-reads.ts";
import type { PersistedEvent } from "../../homeserver/src/server/rooms/local-events.ts";

/** The evaluation's read of the events to evaluate (push-store.ts eventsToEvaluate). */
const EVALUATION_READ = "AND (outlier = 0 OR type = 'm.room.member') AND rejected IS NULL";

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`push evaluation of offered local events (${db})`, function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  let reads: string[] | undefined;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    t = await startTestHomeserver({ db });
    const ctx = t.hs.context;
    onEveryRead(ctx.db, () => reads);
    const local = ctx.localEvents as unknown as { deps: { onExecuted?: (p: PersistedEvent) => void } };
    local.deps.onExecuted = (p) => void ctx.push.eventPersisted(p.stream, p);
  });
  after(async () => {
    await t?.stop();
  });

  it("messages are not read back and notify as read ones do; a state event is read", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(room)}`, { token: bob.accessToken, body: {} })).status, 200);
    const ctx = t.hs.context;
    await ctx.push.eventPersisted(await ctx.stores.events.maxStream());
    let n = 0;
    const send = async (body: Record<string, unknown>, type = "m.room.message"): Promise<void> => {
      const path = type === "m.room.topic" ? `state/m.room.topic/` : `send/${type}/t${n++}`;
      const r = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(room)}/${path}`, { token: alice.accessToken, body });
      assert.equal(r.status, 200);
      await ctx.push.eventPersisted(await ctx.stores.events.maxStream());
    };
    reads = [];
    await send({ msgtype: "m.text", body: "bonjour" });
    await send({ msgtype: "m.text", body: "bob ?", "m.mentions": { user_ids: [bob.userId] } });
    await send({ msgtype: "m.notice", body: "avis" });
    const messageReads = reads.filter((q) => q.includes(EVALUATION_READ)).length;
    reads = [];
    await send({ topic: "ordre du jour" }, "m.room.topic");
    const stateReads = reads.filter((q) => q.includes(EVALUATION_READ)).length;
    reads = undefined;
    assert.equal(messageReads, 0, "three messages evaluated from memory");
    assert.ok(stateReads >= 1, "the state event is read");
    const list = (await call(t.url, "GET", `${C}/notifications`, { token: bob.accessToken })).body.notifications as { event: { content: { body?: string } }; actions: unknown[] }[];
    assert.deepEqual(list.map((x) => [x.event.content.body, x.actions.some((a) => typeof a === "object" && a !== null && (a as { set_tweak?: string }).set_tweak === "highlight")]),
      [["bob ?", true], ["bonjour", false]], "bob: the mention highlighted, the message, not the notice nor the topic");
    assert.deepEqual((await call(t.url, "GET", `${C}/notifications`, { token: alice.accessToken })).body.notifications, [], "the sender: none");
  });
});
