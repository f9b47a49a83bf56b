// Issue 17 acceptance: the unread counts /sync reports (per thread, as Element asks for them with
// unread_thread_notifications) equal what a matrix-js-sdk client computes itself for a scripted
// conversation: its own push rule evaluation (PushProcessor) of each event it received, bucketed
// by its own thread model, minus what its read receipts (threaded, "main", unthreaded) cover.
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import { startTestHomeserver, registerUser, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Counts = { notification_count: number; highlight_count: number };
type Buckets = Record<string, Counts>;

for (const db of ["sqlite", "postgres"] as const) describe(`unread counts match matrix-js-sdk's own computation (${db})`, function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: TestClient;
  let bob: Session, carol: Session;
  let roomId: string;
  /** The event read last per bucket ("main", a thread root, or "" for unthreaded), by id. */
  const receipts = new Map<string, string>();

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    alice = await newClient(server.url, "alice");
    bob = await registerUser(server.url, "bob");
    carol = await registerUser(server.url, "carol");
    await call(server.url, alice, "PUT", `${C}/profile/${enc(alice.userId)}/displayname`, { displayname: "Alice Martin" });
    ({ room_id: roomId } = await call<{ room_id: string }>(server.url, bob, "POST", `${C}/createRoom`, { preset: "public_chat", name: "Conseil" }));
    for (const s of [alice, carol]) await call(server.url, s, "POST", `${C}/join/${enc(roomId)}`, {});
    await startSyncing(alice.client, { threadSupport: true });
  });
  after(async () => {
    alice?.client.stopClient();
    await server?.stop();
  });

  /** Every event sent, so the checks wait until the client placed all of them (threads are async). */
  const sent: string[] = [];
  const send = async (who: Session, type: string, content: Record<string, unknown>): Promise<string> => {
    const id = (await call<{ event_id: string }>(server.url, who, "PUT", `${C}/rooms/${enc(roomId)}/send/${type}/${Math.random().toString(36).slice(2)}`, content)).event_id;
    if (type === "m.room.message") sent.push(id);
    return id;
  };
  const say = (who: Session, body: string, extra: Record<string, unknown> = {}): Promise<string> => send(who, "m.room.message", { msgtype: "m.text", body, ...extra });
  const inThread = (root: string, body: string): Record<string, unknown> =>
    ({ msgtype: "m.text", body, "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } });

  /** Every event the client holds, main timeline and threads, in order. */
  function clientEvents(): sdk.MatrixEvent[] {
    const room = alice.client.getRoom(roomId);
    if (!room) return [];
    const main = room.getLiveTimeline().getEvents();
    const threaded = room.getThreads().flatMap((t) => t.liveTimeline.getEvents().filter((e) => e.getId() !== t.id));
    return [...main, ...threaded];
  }

  /** The client's own expectation: its push actions per event, bucketed by its thread model. */
  function expected(): Buckets {
    const all = clientEvents();
    const pos = (e: sdk.MatrixEvent): number => e.getTs(); // server timestamps increase with our sends
    const readTs = (id: string | undefined): number => (id ? (all.find((e) => e.getId() === id)?.getTs() ?? 0) : 0);
    const out: Buckets = {};
    for (const e of all) {
      if (e.getSender() === alice.userId) continue;
      const actions = alice.client.getPushActionsForEvent(e, true);
      if (!actions?.notify) continue;
      const bucket = e.threadRootId && e.threadRootId !== e.getId() ? e.threadRootId : "main";
      if (pos(e) <= Math.max(readTs(receipts.get("")), readTs(receipts.get(bucket)))) continue;
      const c = (out[bucket] ??= { notification_count: 0, highlight_count: 0 });
      c.notification_count++;
      if (actions.tweaks?.highlight) c.highlight_count++;
    }
    return out;
  }

  /** What the server says, through a raw /sync with Element's filter. */
  async function serverCounts(): Promise<Buckets> {
    const filter = JSON.stringify({ room: { timeline: { limit: 1, unread_thread_notifications: true } } });
    const r = await call<{ rooms: { join: Record<string, { unread_notifications: Counts; unread_thread_notifications?: Record<string, Counts> }> } }>(
      server.url, alice, "GET", `${C}/sync?timeout=0&filter=${enc(filter)}`);
    const room = r.rooms.join[roomId];
    const out: Buckets = { ...room?.unread_thread_notifications };
    if (room && room.unread_notifications.notification_count > 0) out["main"] = room.unread_notifications;
    return out;
  }

  /** Waits until the client holds every message sent so far, in its main timeline or a thread. */
  const clientHasAll = (): Promise<true> => waitFor("client has every message", () => {
    const held = new Set(clientEvents().map((e) => e.getId()));
    return sent.every((id) => held.has(id)) ? true : undefined;
  });

  it("a conversation with a notice, a mention, a reaction, an edit and two threads", async () => {
    const hello = await say(bob, "bonjour à tous");
    await say(bob, "rappel automatique", { msgtype: "m.notice" });
    await say(carol, "alice, tu peux regarder ?");
    const root = await say(bob, "sujet : budget");
    await send(carol, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: hello, key: "👍" } });
    await say(bob, "* bonjour à tous !", { "m.new_content": { msgtype: "m.text", body: "bonjour à tous !" }, "m.relates_to": { rel_type: "m.replace", event_id: hello } });
    await send(bob, "m.room.message", inThread(root, "premier point"));
    await send(carol, "m.room.message", inThread(root, "Alice Martin, ton avis ?"));
    const root2 = await say(carol, "autre sujet");
    await send(bob, "m.room.message", inThread(root2, "oui"));
    await say(alice, "je regarde");
    const last = await send(bob, "m.room.message", { msgtype: "m.text", body: "ping", "m.mentions": { user_ids: [alice.userId] } });
    assert.ok(last);
    await clientHasAll();
    const want = expected();
    assert.deepEqual(want, {
      main: { notification_count: 5, highlight_count: 2 },
      [root]: { notification_count: 2, highlight_count: 1 },
      [root2]: { notification_count: 1, highlight_count: 0 },
    }, "the script's own expectation");
    assert.deepEqual(await serverCounts(), want);
    await waitFor("the client shows the server's counts", () => {
      const room = alice.client.getRoom(roomId) as sdk.Room;
      return room.getThreadUnreadNotificationCount(root, sdk.NotificationCountType.Total) === 2
        && room.getRoomUnreadNotificationCount(sdk.NotificationCountType.Highlight) === 2 ? true : undefined;
    });
  });

  it("a threaded receipt clears its thread, a 'main' receipt the main timeline, an unthreaded one everything", async () => {
    const room = alice.client.getRoom(roomId) as sdk.Room;
    const [thread1, thread2] = room.getThreads().sort((x, y) => (x.rootEvent?.getTs() ?? 0) - (y.rootEvent?.getTs() ?? 0));
    assert.ok(thread1 && thread2);
    const lastOf = (t: sdk.Thread): sdk.MatrixEvent => t.liveTimeline.getEvents().at(-1) as sdk.MatrixEvent;
    await alice.client.sendReceipt(lastOf(thread1), sdk.ReceiptType.Read, { thread_id: thread1.id });
    receipts.set(thread1.id, lastOf(thread1).getId() ?? "");
    assert.deepEqual(await serverCounts(), expected());
    assert.equal((await serverCounts())[thread1.id], undefined);

    const mainLast = room.getLiveTimeline().getEvents().filter((e) => e.getType() === "m.room.message").at(-1) as sdk.MatrixEvent;
    await alice.client.sendReceipt(mainLast, sdk.ReceiptType.Read, { thread_id: "main" });
    receipts.set("main", mainLast.getId() ?? "");
    assert.deepEqual(await serverCounts(), expected());
    assert.deepEqual(Object.keys(await serverCounts()), [thread2.id]);

    const later = await send(bob, "m.room.message", inThread(thread1.id, "encore une chose"));
    assert.ok(later);
    await clientHasAll();
    assert.deepEqual(await serverCounts(), expected());
    assert.equal((await serverCounts())[thread1.id]?.notification_count, 1);

    await alice.client.sendReceipt(mainLast, sdk.ReceiptType.Read, {}, true); // unthreaded, at the main timeline's end
    receipts.set("", mainLast.getId() ?? "");
    assert.deepEqual(await serverCounts(), expected());
    assert.deepEqual(await serverCounts(), { [thread1.id]: { notification_count: 1, highlight_count: 0 } }, "only what came after the receipt");
  });
});
