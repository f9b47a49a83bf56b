// Unread counts kept between /sync calls (server/push/unread-cache.ts): with many unread
// messages the server counts only what came since the last count, and the figures stay exact
// through new messages, highlights, a redaction of an already counted message, a read receipt
// and a threaded receipt. Each expected figure is checked against the server's own full count.
import assert from "node:assert/strict";
import { startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { roomUnread } from "../../homeserver/src/server/push/unread-counts.ts";

const C = "/_matrix/client/v3";
type Counts = { notification_count: number; highlight_count: number };
type Sync = { next_batch: string; rooms?: { join?: Record<string, { unread_notifications?: Counts; unread_thread_notifications?: Record<string, Counts> }> } };

for (const db of ["sqlite", "postgres"] as const) describe(`unread counts kept between syncs (${db})`, function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let alice: Session, bob: Session;
  let roomId: string;
  let since: string | undefined;
  let n = 0;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    ({ alice, bob, roomId } = await aliceAndBobInPublicRoom(server.url));
  });
  after(() => server?.stop());

  const send = async (content: Record<string, unknown>): Promise<string> =>
    (await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t${n++}`, { msgtype: "m.text", ...content })).event_id;
  const sendMany = async (count: number, content: Record<string, unknown> = { body: "message" }): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await send({ ...content, body: `${String(content["body"])} ${i}` }));
    return ids;
  };
  /** Alice's counts by an incremental /sync (the room has news each time), and by a full recount. */
  const counts = async (): Promise<{ synced: Counts | undefined; threads: Record<string, Counts> | undefined; full: Counts }> => {
    const filter = enc(JSON.stringify({ room: { timeline: { limit: 1, unread_thread_notifications: true } } }));
    const sync = await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=0&filter=${filter}${since ? `&since=${enc(since)}` : ""}`);
    since = sync.next_batch;
    const room = sync.rooms?.join?.[roomId];
    const ctx = server.hs.context;
    const upTo = await ctx.stores.events.maxStream();
    // the /sync may answer before the push record commits (it counts the batch in memory): the
    // full count reads the database, so it waits for the record
    await ctx.push.eventPersisted(upTo);
    const u = await roomUnread(ctx.push.store, alice.userId, roomId, upTo);
    return { synced: room?.unread_notifications, threads: room?.unread_thread_notifications, full: { notification_count: u.main.notifications, highlight_count: u.main.highlights } };
  };

  it("stays exact through new messages, a redaction and receipts", async () => {
    const first = await sendMany(80);
    let c = await counts();
    assert.deepEqual(c.synced, { notification_count: 80, highlight_count: 0 });
    const mention = await send({ body: "alice, une question", "m.mentions": { user_ids: [alice.userId] } });
    await sendMany(5);
    c = await counts();
    assert.deepEqual(c.synced, { notification_count: 86, highlight_count: 1 });
    assert.deepEqual(c.synced, c.full);

    // a counted message is redacted: it stops counting
    await call(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(first[3] ?? "")}/r1`, {});
    await send({ body: "après la suppression" });
    c = await counts();
    assert.deepEqual(c.synced, { notification_count: 86, highlight_count: 1 });
    assert.deepEqual(c.synced, c.full);

    // a threaded reply counts in its thread; a receipt in the middle leaves what follows it
    const root = first[10] ?? "";
    await send({ body: "réponse", "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } });
    await call(server.url, alice, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read/${enc(first[59] ?? "")}`, {});
    await sendMany(2);
    c = await counts();
    // 80 first - 60 read (one of them redacted: 59 counted before) → 20, + mention + 5 + 1 + 2
    assert.deepEqual(c.synced, { notification_count: 29, highlight_count: 1 });
    assert.deepEqual(c.synced, c.full);
    assert.deepEqual(c.threads, { [root]: { notification_count: 1, highlight_count: 0 } });

    // reading up to the mention clears the highlight; more messages keep adding
    await call(server.url, alice, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read/${enc(mention)}`, {});
    await sendMany(60);
    c = await counts();
    assert.deepEqual(c.synced, { notification_count: 5 + 1 + 2 + 60, highlight_count: 0 });
    assert.deepEqual(c.synced, c.full);
  });

  it("a count made while an event awaits its push evaluation (a failed run) is not kept: the next /sync is exact", async () => {
    let c = await counts();
    const before = c.full.notification_count;
    // evaluation runs fail for a while (logged; the message stays behind the cursor). Each batch
    // reads the push-settings changes, whether its events are read or offered from memory
    const store = server.hs.context.push.store;
    const settingsChanged = store.pushSettingsChangedSince.bind(store);
    let failing = true;
    let failures = 0;
    store.pushSettingsChangedSince = (...args) => {
      if (!failing) return settingsChanged(...args);
      failures++;
      return Promise.reject(new Error("évaluation interrompue (test)"));
    };
    await send({ body: "pendant la panne" });
    c = await counts();
    failing = false;
    assert.ok(failures > 0, "the evaluation failed");
    assert.equal(c.synced?.notification_count, before, "counted past the cursor: the unevaluated message is not there yet");
    await send({ body: "après la panne" });
    c = await counts();
    assert.deepEqual(c.synced, { notification_count: before + 2, highlight_count: 0 }, "both messages count once evaluated");
    assert.deepEqual(c.synced, c.full);
  });
});
