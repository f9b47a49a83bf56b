// A /sync computed while a write body is half done (SQLite: reads share the writer's connection, so
// they see an invite's event before the membership row naming it) must not hand out a token past
// that event: the next /sync, starting after it, would never send the invite (the CI failure of
// tests/browser/dossier-locks-previews.test.ts: Bob's dossier invite or space join never showed).
// Real homeserver, real code paths: Alice's invite, then Bob's join (changeMembership, as the HTTP
// routes) and Bob's /sync (sync-service) run concurrently, Bob's sync started 0, 1, 2… microtask
// turns after the membership change, so some land inside its write body. Each time, the invite
// (then the join) must come in that /sync or the next one.
import assert from "node:assert/strict";
import { changeMembership } from "../../homeserver/src/server/rooms/membership.ts";
import { membershipDeps } from "../../homeserver/src/server/api/rooms/membership.ts";
import { sync } from "../../homeserver/src/server/sync/sync-service.ts";
import { parseSyncFilter } from "../../homeserver/src/server/sync/sync-filter.ts";
import { parseSyncToken } from "../../homeserver/src/server/sync/sync-token.ts";
import type { JsonObject } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

/** Microtask turns swept: the invite's body (lock, build, group commit, persist) runs within them. */
const TURNS = 160;

describe("/sync while a membership write is half done (SQLite)", function () {
  this.timeout(120_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  it("never hands out a token past an invite or a join whose membership row is not written yet", async () => {
    server = await startTestHomeserver();
    const s = server.hs.context;
    const alice = await registerUser(server.url, "alice");
    const bob = await registerUser(server.url, "bob");
    const rooms: string[] = [];
    for (let i = 0; i < TURNS; i++) {
      const res = await fetch(`${server.url}/_matrix/client/v3/createRoom`, {
        method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/json" }, body: "{}",
      });
      rooms.push(((await res.json()) as { room_id: string }).room_id);
    }
    const me = { userId: bob.userId, deviceId: bob.deviceId, isGuest: false };
    const filter = parseSyncFilter({});
    const syncFrom = async (token: string): Promise<JsonObject> =>
      sync(s, { me, since: parseSyncToken(token), filter, fullState: false, timeoutMs: 0 });
    let token = String((await sync(s, { me, since: undefined, filter, fullState: false, timeoutMs: 0 }))["next_batch"]);
    const lost: Record<"invite" | "join", number[]> = { invite: [], join: [] };
    for (const [action, actor] of [["invite", alice.userId], ["join", bob.userId]] as const) {
      for (let turn = 0; turn < TURNS; turn++) {
        const roomId = rooms[turn] ?? "";
        const change = changeMembership(membershipDeps(s), roomId, actor, action, bob.userId, undefined);
        for (let i = 0; i < turn; i++) await Promise.resolve();
        const first = await syncFrom(token);
        await change;
        const second = await syncFrom(String(first["next_batch"]));
        const shown = (r: JsonObject): boolean => roomId in ((r["rooms"] as Record<string, JsonObject>)[action] ?? {});
        if (!shown(first) && !shown(second)) lost[action].push(turn);
        token = String(second["next_batch"]);
      }
    }
    assert.deepEqual(lost, { invite: [], join: [] }, `memberships never sent to Bob's /sync when it started that many microtask turns after them: ${JSON.stringify(lost)}`);
  });

  it("never sends a membership whose write then rolls back (the room as of the token instead)", async () => {
    server ??= await startTestHomeserver();
    const s = server.hs.context;
    const carl = await registerUser(server.url, "carl");
    const dina = await registerUser(server.url, "dina");
    const post = async (who: { accessToken: string }, path: string, body: JsonObject): Promise<JsonObject> => {
      const res = await fetch(`${server?.url ?? ""}/_matrix/client/v3${path}`, { method: "POST", headers: { Authorization: `Bearer ${who.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      return (await res.json()) as JsonObject;
    };
    const roomId = String((await post(carl, "/createRoom", { preset: "public_chat" }))["room_id"]);
    await post(dina, `/join/${encodeURIComponent(roomId)}`, {});
    const me = { userId: dina.userId, deviceId: dina.deviceId, isGuest: false };
    const filter = parseSyncFilter({});
    const token = String((await sync(s, { me, since: undefined, filter, fullState: false, timeoutMs: 0 }))["next_batch"]);
    // Dina's leave, stored in a body that is held, then fails; Dina syncs meanwhile
    const joinId = (await s.stores.rooms.currentStateId(roomId, "m.room.member", dina.userId)) ?? "";
    const join = (await s.stores.events.getEvent(joinId))?.event.pdu;
    assert.ok(join);
    const leave = { ...join, content: { membership: "leave" }, prev_events: await s.stores.events.forwardExtremities(roomId) };
    const stateGroup = (await s.stores.rooms.getRoom(roomId))?.currentStateGroup;
    let stored!: () => void;
    const mid = new Promise<void>((r) => { stored = r; });
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const body = s.db.transaction(async (tx) => {
      await s.stores.events.persist(tx, { event: { eventId: "$rolled-back-leave", pdu: leave }, roomId, stateGroupBefore: stateGroup });
      stored();
      await gate;
      throw new Error("the body fails: rolled back");
    });
    await mid;
    // the sync's own writes wait for the held body: released once its membership rows were read
    const rooms = s.stores.rooms;
    const roomsForUser = rooms.roomsForUser.bind(rooms);
    let read!: () => void;
    const membershipsRead = new Promise<void>((r) => { read = r; });
    rooms.roomsForUser = async (userId) => {
      const rows = await roomsForUser(userId);
      if (userId === dina.userId) read();
      return rows;
    };
    const during = sync(s, { me, since: parseSyncToken(token), filter, fullState: false, timeoutMs: 0 });
    await membershipsRead;
    rooms.roomsForUser = roomsForUser;
    release();
    await assert.rejects(body, /rolled back/);
    const response = await during;
    const left = (response["rooms"] as Record<string, JsonObject>)["leave"] ?? {};
    assert.ok(!(roomId in left), "Dina's /sync sent a leave whose write then rolled back");
    const after = await sync(s, { me, since: parseSyncToken(String(response["next_batch"])), filter, fullState: false, timeoutMs: 0 });
    assert.ok(!(roomId in ((after["rooms"] as Record<string, JsonObject>)["leave"] ?? {})), "nor the next one");
  });
});
