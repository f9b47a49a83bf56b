// A membership change received over federation whose transaction fails must not leave its room
// out of the kept members (rooms/room-members.ts) for good: the change is marked in flight when
// its writes start (RemoteInputDeps.onChanging) and only its announcement cleared the mark, so
// after a failure every later send of the room read its members again, until restart.
// Real councils over HTTPS; the failure is the database's: a trigger refuses the INSERT of Bob's
// new member event on A (dropped once A answered the PDU with an error). A's member reads are
// counted on its real RoomStore.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";
import type { InputResult } from "../../homeserver/src/server/federation/inbound/remote-input.ts";

const C = "/_matrix/client/v3";
const BOB = "@bob:agglo-b.test";

/** A trigger refusing Bob's member events on the events table, and its removal. */
const failBobMember = {
  sqlite: {
    add: `CREATE TRIGGER t_fail_bob BEFORE INSERT ON events WHEN NEW.type = 'm.room.member' AND NEW.sender = '${BOB}' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
    drop: "DROP TRIGGER t_fail_bob",
  },
  postgres: {
    add: `CREATE FUNCTION t_fail_bob() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$;
      CREATE TRIGGER t_fail_bob BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.type = 'm.room.member' AND NEW.sender = '${BOB}') EXECUTE FUNCTION t_fail_bob()`,
    drop: "DROP TRIGGER t_fail_bob ON events; DROP FUNCTION t_fail_bob()",
  },
};

/** Counts the member reads of a council's real RoomStore. */
function countMemberReads(s: { stores: { rooms: { memberSnapshot: (roomId: string) => Promise<unknown> } } }): () => number {
  let reads = 0;
  const rooms = s.stores.rooms;
  const snapshot = rooms.memberSnapshot.bind(rooms);
  rooms.memberSnapshot = (roomId) => {
    reads++;
    return snapshot(roomId);
  };
  return () => reads;
}

for (const db of ["sqlite", "postgres"] as const) describe(`a federated membership change that fails (${db})`, function () {
  this.timeout(120_000);
  let fed: TestFederation | undefined;
  afterEach(async () => {
    await fed?.stop();
    fed = undefined;
  });

  it("leaves the room's members kept again afterwards", async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const s = fed.get("ville-a.test").hs?.context;
    assert.ok(s?.federation);
    const alice: Session = await registerUser(a, "alice");
    const bob: Session = await registerUser(b, "bob");
    assert.equal(bob.userId, BOB);
    let reads = 0;
    const rooms = s.stores.rooms;
    const snapshot = rooms.memberSnapshot.bind(rooms);
    rooms.memberSnapshot = (roomId) => {
      reads++;
      return snapshot(roomId);
    };
    const results: InputResult[] = [];
    const input = s.federation.input;
    const receive = input.receive.bind(input);
    input.receive = async (origin, raw, commits) => {
      const r = await receive(origin, raw, commits);
      results.push(r);
      return r;
    };
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    let n = 0;
    /** A's member reads made while Alice sends one message. */
    const readsOfASend = async (): Promise<number> => {
      const before = reads;
      await call(a, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/m${n++}`, { msgtype: "m.text", body: `message ${n}` });
      return reads - before;
    };
    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    await waitFor("bob joined on A", async () => BOB in (await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `${C}/rooms/${enc(roomId)}/joined_members`)).joined || undefined);
    await readsOfASend();
    assert.equal(await readsOfASend(), 0, "the members are not kept even before the failure");

    await s.db.exec(failBobMember[db].add);
    const { event_id: renamed } = await call<{ event_id: string }>(b, bob, "PUT", `${C}/rooms/${enc(roomId)}/state/m.room.member/${enc(BOB)}`, { membership: "join", displayname: "Bobby" });
    const failed = await waitFor("A refused bob's new member event", () => Promise.resolve(results.find((r) => r.eventId === renamed)));
    await s.db.exec(failBobMember[db].drop);
    assert.match(failed.error ?? "", /forced failure/);

    await readsOfASend(); // reads the members once (the failed change dropped the kept entry)
    const later = [await readsOfASend(), await readsOfASend()];
    assert.deepEqual(later, [0, 0], "the room's members are read again on every send after the failed change");
  });

  it("also when it is an invite to a room the council is not in (remote-membership.ts)", async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const s = fed.get("ville-a.test").hs?.context;
    assert.ok(s);
    const alice: Session = await registerUser(a, "alice");
    const bob: Session = await registerUser(b, "bob");
    const reads = countMemberReads(s);
    const { room_id: roomId } = await call<{ room_id: string }>(b, bob, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const room = `${C}/rooms/${enc(roomId)}`;
    // A refuses to store Bob's invite of Alice (the out-of-room membership's transaction fails)
    await s.db.exec(failBobMember[db].add);
    await assert.rejects(call(b, bob, "POST", `${room}/invite`, { user_id: alice.userId }));
    await s.db.exec(failBobMember[db].drop);
    await call(a, alice, "POST", `${C}/join/${enc(roomId)}?server_name=agglo-b.test`, {});
    let n = 0;
    const readsOfASend = async (): Promise<number> => {
      const before = reads();
      await call(a, alice, "PUT", `${room}/send/m.room.message/m${n++}`, { msgtype: "m.text", body: `message ${n}` });
      return reads() - before;
    };
    await readsOfASend();
    const later = [await readsOfASend(), await readsOfASend()];
    assert.deepEqual(later, [0, 0], "the room's members are read again on every send after the failed invite");
  });
});
