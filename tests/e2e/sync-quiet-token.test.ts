// The long-poll that repeats the token of the answer just given parks without computing anything
// while nothing was announced for the user (server/sync/quiet-tokens.ts). A wake-up it misses is a
// message the client never gets until something else happens: each kind of change /sync shows is
// made AFTER the reader's answer and BEFORE its long-poll from that answer's token, and the
// long-poll must hold it (a fast path that parked regardless would wait the poll's 60 s: the test
// times out at 30). Plus the remainder of a to-device queue past the per-sync limit, which no
// wake-up follows, and the parked poll's statement count (none before the wake-up; fails before
// the fast path, whose poll read the positions first).
import assert from "node:assert/strict";
import type { SqlValue } from "../../homeserver/src/storage/sql.ts";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { TestDevice } from "../e2ee-helpers.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;
interface Sync {
  next_batch: string;
  rooms?: { join?: Record<string, Json>; invite?: Record<string, Json>; leave?: Record<string, Json> };
  account_data?: { events: { type: string }[] };
  presence?: { events: { sender: string }[] };
  to_device?: { events: { content: Json }[] };
  device_lists?: { changed?: string[] };
}

for (const db of ["sqlite", "postgres"] as const) describe(`long-poll from the token just answered (${db})`, function () {
  this.timeout(30_000);
  let server: TestHomeserver;
  let alice: Session & { deviceId: string };
  let bob: Session & { deviceId: string };
  let roomId: string;
  let n = 0;
  let statements: number | undefined;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    const pair = await aliceAndBobInPublicRoom(server.url);
    roomId = pair.roomId;
    alice = pair.alice as Session & { deviceId: string };
    bob = pair.bob as Session & { deviceId: string };
    const database = server.hs.context.db;
    for (const m of ["all", "one", "run"] as const) {
      const orig = database[m].bind(database) as (sql: string, params?: readonly SqlValue[]) => Promise<unknown>;
      (database as unknown as Record<string, unknown>)[m] = (sql: string, params?: readonly SqlValue[]) => {
        if (statements !== undefined) statements++;
        return orig(sql, params);
      };
    }
  });
  after(() => server?.stop());

  /** Alice's answer from her last token (an initial sync the first time), nothing waited for. */
  let token: string | undefined;
  const answer = async (): Promise<string> => {
    const r = await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=0${token === undefined ? "" : `&since=${enc(token)}`}`);
    token = r.next_batch;
    return token;
  };
  /** `change` made after alice's answer, then her long-poll from that answer's token. */
  const pollAfter = async (change: () => Promise<unknown>): Promise<Sync> => {
    const since = await answer();
    await change();
    const r = await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=60000&since=${enc(since)}`);
    token = r.next_batch;
    return r;
  };
  const joined = (r: Sync, room = roomId): Json | undefined => r.rooms?.join?.[room];
  const ephemeralTypes = (r: Sync): string[] => ((joined(r)?.["ephemeral"] as { events: { type: string }[] } | undefined)?.events ?? []).map((e) => e.type);

  it("a message in a joined room", async () => {
    let id = "";
    const r = await pollAfter(async () => {
      ({ event_id: id } = await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/q${n++}`, { msgtype: "m.text", body: "bonjour" }));
    });
    const events = (joined(r)?.["timeline"] as { events: { event_id: string }[] }).events;
    assert.ok(events.some((e) => e.event_id === id));
  });

  it("an invite, then a kick", async () => {
    const { room_id: other } = await call<{ room_id: string }>(server.url, bob, "POST", `${C}/createRoom`, { preset: "private_chat" });
    let r = await pollAfter(() => call(server.url, bob, "POST", `${C}/rooms/${enc(other)}/invite`, { user_id: alice.userId }));
    assert.ok(r.rooms?.invite?.[other], "the invite");
    await call(server.url, alice, "POST", `${C}/join/${enc(other)}`, {});
    r = await pollAfter(() => call(server.url, bob, "POST", `${C}/rooms/${enc(other)}/kick`, { user_id: alice.userId }));
    assert.ok(r.rooms?.leave?.[other], "the kick");
  });

  it("global and room account data", async () => {
    let r = await pollAfter(() => call(server.url, alice, "PUT", `${C}/user/${enc(alice.userId)}/account_data/org.example.q`, { n: 1 }));
    assert.ok(r.account_data?.events.some((e) => e.type === "org.example.q"));
    r = await pollAfter(() => call(server.url, alice, "PUT", `${C}/user/${enc(alice.userId)}/rooms/${enc(roomId)}/tags/u.travail`, {}));
    assert.ok((joined(r)?.["account_data"] as { events: { type: string }[] }).events.some((e) => e.type === "m.tag"));
  });

  it("a read receipt and typing", async () => {
    const { event_id: id } = await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/q${n++}`, { msgtype: "m.text", body: "lu ?" });
    let r = await pollAfter(() => call(server.url, bob, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read/${enc(id)}`, {}));
    assert.ok(ephemeralTypes(r).includes("m.receipt"));
    r = await pollAfter(() => call(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/typing/${enc(bob.userId)}`, { typing: true, timeout: 20_000 }));
    assert.ok(ephemeralTypes(r).includes("m.typing"));
    // typing ends here: its expiry 20 s later would wake alice during a later test, which could then
    // pass with a fast path that parks regardless (review R6)
    await call(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/typing/${enc(bob.userId)}`, { typing: false });
  });

  it("presence", async () => {
    const r = await pollAfter(() => call(server.url, bob, "PUT", `${C}/presence/${enc(bob.userId)}/status`, { presence: "unavailable", status_msg: "en réunion" }));
    assert.ok(r.presence?.events.some((e) => e.sender === bob.userId));
  });

  it("a to-device message and a device-list change", async () => {
    let r = await pollAfter(() => call(server.url, bob, "PUT", `${C}/sendToDevice/m.test/q${n++}`, { messages: { [alice.userId]: { [alice.deviceId]: { n: 1 } } } }));
    assert.deepEqual(r.to_device?.events.map((e) => e.content), [{ n: 1 }]);
    const device = new TestDevice(bob);
    r = await pollAfter(() => call(server.url, bob, "POST", `${C}/keys/upload`, { device_keys: device.deviceKeys() }));
    assert.ok(r.device_lists?.changed?.includes(bob.userId));
  });

  it("the rest of a to-device queue longer than one answer holds, with no wake-up after it", async () => {
    const messages = { [alice.userId]: { [alice.deviceId]: { n: 0 } } };
    const since = await answer();
    for (let i = 0; i < 130; i++) await call(server.url, bob, "PUT", `${C}/sendToDevice/m.test/rest${i}`, { messages });
    const first = await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=0&since=${enc(since)}`);
    assert.equal(first.to_device?.events.length, 100);
    const rest = await call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=60000&since=${enc(first.next_batch)}`);
    assert.equal(rest.to_device?.events.length, 30);
    token = rest.next_batch;
  });

  it("parks without a statement until woken, and a new member's first long-poll too", async () => {
    const waiting = (u: string): boolean => (server.hs.context.notifier as unknown as { waiters: Map<string, unknown> }).waiters.has(u);
    const since = await answer();
    statements = 0;
    const poll = call<Sync>(server.url, alice, "GET", `${C}/sync?timeout=60000&since=${enc(since)}`);
    while (!waiting(alice.userId)) await new Promise((r) => setImmediate(r));
    const parked = statements;
    statements = undefined;
    const { event_id: id } = await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/q${n++}`, { msgtype: "m.text", body: "réveil" });
    const r = await poll;
    assert.ok((joined(r)?.["timeline"] as { events: { event_id: string }[] }).events.some((e) => e.event_id === id));
    assert.equal(parked, 0, "the long-poll from the token just answered read the database before parking");
    // a user who joins after their initial sync: the join wakes them (the join is theirs)
    const carol = await registerUser(server.url, "carol");
    const initial = await call<Sync>(server.url, carol, "GET", `${C}/sync?timeout=0`);
    await call(server.url, carol, "POST", `${C}/join/${enc(roomId)}`, {});
    const afterJoin = await call<Sync>(server.url, carol, "GET", `${C}/sync?timeout=60000&since=${enc(initial.next_batch)}`);
    assert.ok(joined(afterJoin), "carol's join");
  });
});
