// /sync's device lists (e2ee/device-lists.ts, sync-queries.ts memberRows): the positions statement
// carries the newest membership row's position; when it is not past the token, no membership
// changed anywhere and the membership read is skipped (a message is the usual woken /sync). On
// SQLite too when the positions were read with no write group open (kept-at-position.ts
// committedView). What must hold: a message does not read memberships; a join, a leave and a join
// in another room still reach device_lists changed / left as before.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;

for (const db of ["sqlite", "postgres"] as const) describe(`${db} /sync: device lists skip the membership read when no membership moved`, function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let reads = 0;

  beforeEach(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    const store = server.hs.context.e2ee.store;
    const read = store.membershipChanges.bind(store);
    store.membershipChanges = (...a) => (reads++, read(...a));
  });
  afterEach(() => server?.stop());

  it("reads no memberships for a message, and still reports joins and leaves", async () => {
    const alice = await registerUser(server.url, "alice");
    const bob = await registerUser(server.url, "bob");
    const carol = await registerUser(server.url, "carol");
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const { room_id: other } = await call<{ room_id: string }>(server.url, carol, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(server.url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    let since = String((await call<Json>(server.url, alice, "GET", `${C}/sync?timeout=0`))["next_batch"]);
    /** alice's next /sync: its device lists and the membership reads it made. */
    const next = async (): Promise<{ changed: unknown; left: unknown; reads: number }> => {
      const before = reads;
      const body = await call<Json>(server.url, alice, "GET", `${C}/sync?timeout=0&since=${enc(since)}`);
      since = String(body["next_batch"]);
      const lists = (body["device_lists"] ?? {}) as Json;
      return { changed: lists["changed"] ?? [], left: lists["left"] ?? [], reads: reads - before };
    };
    const send = (s: Session, room: string): Promise<unknown> => call(server.url, s, "PUT", `${C}/rooms/${enc(room)}/send/m.room.message/${Math.random()}`, { msgtype: "m.text", body: "bonjour" });

    await send(bob, roomId);
    assert.deepEqual(await next(), { changed: [], left: [], reads: 0 }, "a message: no membership read");
    await call(server.url, carol, "POST", `${C}/join/${enc(roomId)}`, {});
    assert.deepEqual(await next(), { changed: [carol.userId], left: [], reads: 1 }, "carol joined alice's room");
    await call(server.url, bob, "POST", `${C}/rooms/${enc(roomId)}/leave`, {});
    assert.deepEqual(await next(), { changed: [], left: [bob.userId], reads: 1 }, "bob left the only room he shared");
    // a membership in a room alice is not in moves the position: read, nothing to report
    await call(server.url, bob, "POST", `${C}/join/${enc(other)}`, {});
    assert.deepEqual(await next(), { changed: [], left: [], reads: 1 }, "bob joined a room alice is not in");
    await send(carol, roomId);
    assert.deepEqual(await next(), { changed: [], left: [], reads: 0 }, "a message again: no read");
  });
});
