// Issue 4 acceptance: users of councils A, B and C share a room created on A.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, SyncFollower, type Session } from "../harness/client-api.ts";

describe("three councils share a room", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session, carol: Session;
  let a: string, b: string, c: string;
  let roomId: string;
  const followers = new Map<string, SyncFollower>();
  const follow = (who: Session): SyncFollower => followers.get(who.userId) as SyncFollower;
  const sees = (who: Session, base: string, body: string): Promise<true> =>
    waitFor(`${who.userId} sees "${body}"`, async () => {
      await follow(who).poll(1000);
      return follow(who).bodies(roomId).includes(body) ? true : undefined;
    });

  before(async () => {
    fed = await startFederation(["ville-a.test", "agglo-b.test", "dept-c.test"]);
    a = fed.get("ville-a.test").url;
    b = fed.get("agglo-b.test").url;
    c = fed.get("dept-c.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    carol = await registerUser(c, "carol");
    for (const [who, base] of [[alice, a], [bob, b], [carol, c]] as const) {
      followers.set(who.userId, new SyncFollower(base, who));
      await follow(who).poll();
    }
  });
  after(() => fed?.stop());

  it("invites across councils and the invitees join", async () => {
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { name: "Schéma de mobilité", invite: [bob.userId] }));
    await waitFor("bob's invite", async () => {
      await follow(bob).poll(500);
      return follow(bob).invites.has(roomId) || undefined;
    });
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: carol.userId });
    await waitFor("carol's invite", async () => {
      await follow(carol).poll(500);
      return follow(carol).invites.has(roomId) || undefined;
    });
    await call(c, carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    const members = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
    await waitFor("3 members on A", async () => {
      const m = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
      return Object.keys(m.joined).length === 3 || undefined;
    });
    assert.ok(members);
  });

  it("delivers messages all ways", async () => {
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/a1`, { msgtype: "m.text", body: "de A" });
    await call(b, bob, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/b1`, { msgtype: "m.text", body: "de B" });
    await call(c, carol, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/c1`, { msgtype: "m.text", body: "de C" });
    for (const [who, base] of [[alice, a], [bob, b], [carol, c]] as const) {
      for (const body of ["de A", "de B", "de C"]) await sees(who, base, body);
    }
  });

  it("propagates name, topic and power-level changes to every council", async () => {
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name`, { name: "Mobilité 2030" });
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.topic`, { topic: "Pistes cyclables" });
    const pl = await call<Record<string, unknown>>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`);
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`, { ...pl, users: { ...(pl["users"] as object), [bob.userId]: 50 } });
    for (const [who, base] of [[alice, a], [bob, b], [carol, c]] as const) {
      await waitFor(`state on ${base}`, async () => {
        const name = await call<{ name?: string }>(base, who, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name`).catch(() => ({ name: undefined }));
        const topic = await call<{ topic?: string }>(base, who, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.topic`).catch(() => ({ topic: undefined }));
        const levels = await call<{ users?: Record<string, number> }>(base, who, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`);
        return name.name === "Mobilité 2030" && topic.topic === "Pistes cyclables" && levels.users?.[bob.userId] === 50 || undefined;
      });
    }
  });

  it("kicks and bans across councils, and lets a user leave", async () => {
    await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/kick`, { user_id: carol.userId, reason: "test" });
    await waitFor("carol kicked on C", async () => {
      const m = await call<{ joined: Record<string, unknown> }>(c, carol, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`).catch(() => ({ joined: {} as Record<string, unknown> }));
      return !(carol.userId in m.joined) || undefined;
    });
    await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/ban`, { user_id: carol.userId });
    await assert.rejects(call(c, carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {}), /403/);
    await call(b, bob, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
    await waitFor("bob left on A", async () => {
      const m = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
      return !(bob.userId in m.joined) || undefined;
    });
  });
});

describe("knocking on a room of another council", function () {
  this.timeout(60_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("knocks over federation, the resident admin lets the knocker in", async () => {
    fed = await startFederation(["k-a.test", "k-b.test"]);
    const a = fed.get("k-a.test").url;
    const b = fed.get("k-b.test").url;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", {
      initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }],
    });
    await call(b, bob, "POST", `/_matrix/client/v3/knock/${enc(roomId)}?via=k-a.test`, { reason: "je suis du service voirie" });
    await waitFor("knock on A", async () => {
      const m = await call<{ chunk: { state_key: string; content: { membership: string } }[] }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/members`);
      return m.chunk.some((e) => e.state_key === bob.userId && e.content.membership === "knock") || undefined;
    });
    await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=k-a.test`, {});
    await waitFor("bob joined on A", async () => {
      const m = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
      return bob.userId in m.joined || undefined;
    });
  });
});
