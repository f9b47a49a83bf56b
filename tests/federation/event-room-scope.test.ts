// Issue 9, finding 3: a partner server in room R1 must not read anything of a private room R2 by
// naming R2's events on R1's routes (state, state_ids, event_auth, backfill, get_missing_events).
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { FederationError } from "../../homeserver/src/server/federation/transport/federation-error.ts";
import type { FederationMethod } from "../../homeserver/src/server/federation/transport/federation-client.ts";
import { finishEvent } from "../../homeserver/src/room/sign-event.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { authChain } from "../../homeserver/src/room/auth-chain.ts";

const F = "/_matrix/federation/v1";

describe("federation routes only serve events of the room in the path", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session;
  let r1: string, r2: string;
  let r1Message: string, r2Message: string, r2PowerLevels: string, r2Create: string;
  const SECRET = "ordre du jour confidentiel";

  /** b.test (a member of R1 only) asks a.test. */
  const ask = <T = unknown>(method: FederationMethod, path: string, body?: unknown): Promise<T> =>
    fed.get("b.test").hs!.context.federation!.client.request<T>("a.test", method, path, body);
  /** The refusal of a request: its status and errcode, and the body never names R2's events. */
  const refusal = async (method: FederationMethod, path: string, body?: unknown): Promise<[number | undefined, string | undefined]> => {
    try {
      const res = await ask(method, path, body);
      assert.fail(`${method} ${path} answered ${JSON.stringify(res).slice(0, 300)}`);
    } catch (err) {
      if (!(err instanceof FederationError)) throw err;
      for (const secret of [SECRET, r2PowerLevels, r2Create]) assert.ok(!err.message.includes(secret), `${path}: the error names R2 data`);
      return [err.status, err.errcode];
    }
  };

  before(async () => {
    fed = await startFederation(["a.test", "b.test"]);
    const a = fed.get("a.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(fed.get("b.test").url, "bob");
    ({ room_id: r1 } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }));
    ({ room_id: r2 } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "private_chat", name: "Bureau" }));
    await call(fed.get("b.test").url, bob, "POST", `/_matrix/client/v3/join/${enc(r1)}?via=a.test`, {});
    ({ event_id: r1Message } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(r1)}/send/m.room.message/m1`, { msgtype: "m.text", body: "public" }));
    ({ event_id: r2Message } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(r2)}/send/m.room.message/m2`, { msgtype: "m.text", body: SECRET }));
    const state = await fed.get("a.test").hs!.context.stores.rooms.currentState(r2);
    r2PowerLevels = state.find((x) => x.type === "m.room.power_levels")?.eventId ?? "";
    r2Create = "$" + r2.slice(1);
    assert.ok(r2PowerLevels.startsWith("$"));
  });
  after(() => fed?.stop());

  it("serves R1's own events to the partner (the control: the routes work)", async () => {
    const ids = await ask<{ pdu_ids: string[]; auth_chain_ids: string[] }>("GET", `${F}/state_ids/${enc(r1)}?event_id=${enc(r1Message)}`);
    assert.ok(ids.pdu_ids.length >= 5, JSON.stringify(ids));
    // the same auth chain as the spec's definition computes (room/auth-chain.ts) over our store
    const events = fed.get("a.test").hs!.context.stores.events;
    const expected = await authChain(ids.pdu_ids, { getEvent: async (id) => (await events.getEvent(id))?.event });
    assert.deepEqual(new Set(ids.auth_chain_ids), expected);
    const state = await ask<{ pdus: unknown[]; auth_chain: unknown[] }>("GET", `${F}/state/${enc(r1)}?event_id=${enc(r1Message)}`);
    assert.equal(state.pdus.length, ids.pdu_ids.length);
    assert.equal(state.auth_chain.length, ids.auth_chain_ids.length);
    const auth = await ask<{ auth_chain: { type: string }[] }>("GET", `${F}/event_auth/${enc(r1)}/${enc(r1Message)}`);
    assert.ok(auth.auth_chain.some((e) => e.type === "m.room.power_levels"));
    const back = await ask<{ pdus: unknown[] }>("GET", `${F}/backfill/${enc(r1)}?v=${enc(r1Message)}&limit=5`);
    assert.equal(back.pdus.length, 5);
    const missing = await ask<{ events: unknown[] }>("POST", `${F}/get_missing_events/${enc(r1)}`, { latest_events: [r1Message], earliest_events: [], limit: 3 });
    assert.equal(missing.events.length, 3);
  });

  it("refuses state and state_ids at an event of another room", async () => {
    assert.deepEqual(await refusal("GET", `${F}/state/${enc(r1)}?event_id=${enc(r2Message)}`), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await refusal("GET", `${F}/state_ids/${enc(r1)}?event_id=${enc(r2Message)}`), [404, "M_NOT_FOUND"]);
  });

  it("refuses event_auth of an event of another room", async () => {
    assert.deepEqual(await refusal("GET", `${F}/event_auth/${enc(r1)}/${enc(r2Message)}`), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await refusal("GET", `${F}/event_auth/${enc(r1)}/${enc(r2PowerLevels)}`), [404, "M_NOT_FOUND"]);
  });

  it("refuses backfill from an event of another room, alone or next to one of the room", async () => {
    assert.deepEqual(await refusal("GET", `${F}/backfill/${enc(r1)}?v=${enc(r2Message)}&limit=10`), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await refusal("GET", `${F}/backfill/${enc(r1)}?v=${enc(r1Message)}&v=${enc(r2Message)}&limit=10`), [404, "M_NOT_FOUND"]);
  });

  it("refuses get_missing_events whose latest or earliest events are of another room", async () => {
    assert.deepEqual(await refusal("POST", `${F}/get_missing_events/${enc(r1)}`, { latest_events: [r2Message], earliest_events: [], limit: 10 }), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await refusal("POST", `${F}/get_missing_events/${enc(r1)}`, { latest_events: [r1Message], earliest_events: [r2Create], limit: 10 }), [404, "M_NOT_FOUND"]);
    // an earliest event we do not know is normal (the caller's own extremities) and still allowed
    const ok = await ask<{ events: unknown[] }>("POST", `${F}/get_missing_events/${enc(r1)}`, { latest_events: [r1Message], earliest_events: ["$inconnu"], limit: 2 });
    assert.equal(ok.events.length, 2);
  });

  it("refuses an R1 event whose prev_events are R2's, so the state at it cannot be R2's", async () => {
    const ctx = fed.get("a.test").hs!.context;
    const state = await ctx.stores.rooms.currentState(r1);
    const pick = (t: string, k = ""): string => state.find((x) => x.type === t && x.stateKey === k)?.eventId ?? "";
    const depth = (await ctx.stores.events.getEvent(r2Message))!.event.pdu.depth + 1;
    const bridged = finishEvent({ room_id: r1, sender: bob.userId, type: "m.room.message", content: { msgtype: "m.text", body: "passerelle" }, origin_server_ts: Date.now(),
      depth, prev_events: [r2Message], auth_events: [pick("m.room.power_levels"), pick("m.room.member", bob.userId)] }, getRoomVersion("12")!, "b.test", fed.get("b.test").hs!.context.signingKey);
    const res = await ask<{ pdus: Record<string, { error?: string }> }>("PUT", `${F}/send/bridge-1`, { origin: "b.test", origin_server_ts: Date.now(), pdus: [bridged.pdu], edus: [] });
    assert.match(res.pdus[bridged.eventId]?.error ?? "", /prev_events/);
    assert.equal(await ctx.stores.events.getEvent(bridged.eventId), undefined, "not stored");
    assert.deepEqual(await refusal("GET", `${F}/state_ids/${enc(r1)}?event_id=${enc(bridged.eventId)}`), [404, "M_NOT_FOUND"]);
    assert.ok(!(await ctx.stores.rooms.currentState(r1)).some((x) => x.eventId === r2PowerLevels), "R1's state is untouched");
  });

  it("does not follow a forged R1 event's auth_events into R2", async () => {
    // b.test sends an R1 event citing R2's power levels as an auth event: it is stored rejected,
    // and its auth chain as served must stay inside R1.
    const ctx = fed.get("a.test").hs!.context;
    const prevs = await ctx.stores.events.forwardExtremities(r1);
    const state = await ctx.stores.rooms.currentState(r1);
    const member = state.find((x) => x.type === "m.room.member" && x.stateKey === bob.userId)?.eventId ?? "";
    const depth = Math.max(...[...(await ctx.stores.events.getEvents(prevs)).values()].map((r) => r.event.pdu.depth)) + 1;
    const forged = finishEvent({ room_id: r1, sender: bob.userId, type: "m.room.message", content: { msgtype: "m.text", body: "fourbe" }, origin_server_ts: Date.now(),
      depth, prev_events: prevs, auth_events: [r2PowerLevels, member] }, getRoomVersion("12")!, "b.test", fed.get("b.test").hs!.context.signingKey);
    await ask("PUT", `${F}/send/forged-1`, { origin: "b.test", origin_server_ts: Date.now(), pdus: [forged.pdu], edus: [] });
    const stored = await ctx.stores.events.getEvent(forged.eventId);
    assert.ok(stored?.rejected, "the forged event is stored rejected");
    const auth = await ask<{ auth_chain: { room_id?: string; type: string }[] }>("GET", `${F}/event_auth/${enc(r1)}/${enc(forged.eventId)}`);
    assert.ok(auth.auth_chain.length > 0);
    assert.ok(auth.auth_chain.every((e) => (e.room_id ?? r1) === r1), JSON.stringify(auth.auth_chain.map((e) => e.type)));
    assert.ok(!JSON.stringify(auth).includes(r2), "nothing of R2 in the answer");
  });
});
