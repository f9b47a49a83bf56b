// Review finding 5: a server in room R1 answering for R1 (send_join state and auth chain, backfill,
// get_missing_events) must not plant events of another room R2 under R1: rows keep the room they
// were stored under, which /relations, /messages and visibility read. The resident server a.test
// turns malicious: b.test's federation client gets its real answers with R2 events (validly
// signed by a.test) added. The foreign events are dropped and the rest of each answer is used.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import type { FederationClient } from "../../homeserver/src/server/federation/transport/federation-client.ts";
import type { Pdu } from "../../homeserver/src/room/pdu.ts";
import { finishEvent } from "../../homeserver/src/room/sign-event.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";

const F = "/_matrix/federation/v1";

describe("events of another room in a remote server's answers are not stored", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session;
  let r1: string, r2: string;
  /** R2's events as a.test stores them, signed by a.test. */
  const r2Pdus = new Map<string, Pdu>();
  /** What b.test's client adds to an answer, by path prefix. */
  let extra: (path: string, res: Record<string, unknown>) => Record<string, unknown> = (_p, r) => r;
  /** A whole answer b.test's client gets instead of asking a.test, when set. */
  let instead: ((path: string) => Record<string, unknown> | undefined) = () => undefined;

  const bStored = async (id: string): Promise<boolean> => (await fed.get("b.test").hs!.context.stores.events.getEvent(id)) !== undefined;

  before(async () => {
    fed = await startFederation(["a.test", "b.test"]);
    const a = fed.get("a.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(fed.get("b.test").url, "bob");
    ({ room_id: r1 } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }));
    ({ room_id: r2 } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "private_chat", name: "Bureau" }));
    const { event_id: msg } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(r2)}/send/m.room.message/m1`, { msgtype: "m.text", body: "confidentiel" });
    const aEvents = fed.get("a.test").hs!.context.stores.events;
    const state = await fed.get("a.test").hs!.context.stores.rooms.currentState(r2);
    for (const id of [msg, ...state.map((x) => x.eventId)]) r2Pdus.set(id, (await aEvents.getEvent(id))!.event.pdu);
    const client: FederationClient = fed.get("b.test").hs!.context.federation!.client;
    const original = client.request.bind(client);
    client.request = (async (...args: Parameters<FederationClient["request"]>) => {
      const res = instead(args[2]) ?? (await original(...args));
      return res && typeof res === "object" ? extra(args[2], res as Record<string, unknown>) : res;
    }) as FederationClient["request"];
  });
  after(() => fed?.stop());

  it("refuses a make_join template of another room (the join would be stored under R1)", async () => {
    extra = (path, res) => path.startsWith(`${F}/make_join/`) ? { ...res, event: { ...(res["event"] as Record<string, unknown>), room_id: r2 } } : res;
    const err = await call(fed.get("b.test").url, bob, "POST", `/_matrix/client/v3/join/${enc(r1)}?via=a.test`, {}).then(() => undefined, (e: unknown) => e);
    extra = (_p, r) => r;
    assert.match(String(err), /another room/);
    const state = await fed.get("b.test").hs!.context.stores.rooms.currentState(r1);
    assert.ok(!state.some((x) => x.stateKey === bob.userId), "bob is not a member of R1 on b.test");
  });

  it("joins through a send_join answer carrying R2's state, without R2's events", async () => {
    const foreign = [...r2Pdus.values()].filter((p) => p.state_key !== undefined);
    extra = (path, res) => path.startsWith("/_matrix/federation/v2/send_join/")
      ? { ...res, state: [...(res["state"] as unknown[]), ...foreign], auth_chain: [...(res["auth_chain"] as unknown[]), ...foreign] } : res;
    await call(fed.get("b.test").url, bob, "POST", `/_matrix/client/v3/join/${enc(r1)}?via=a.test`, {});
    extra = (_p, r) => r;
    const ctx = fed.get("b.test").hs!.context;
    const state = await ctx.stores.rooms.currentState(r1);
    assert.ok(state.some((x) => x.type === "m.room.member" && x.stateKey === bob.userId), "bob joined R1");
    assert.ok(!state.some((x) => x.type === "m.room.name"), "R2's name is not R1's state");
    for (const id of r2Pdus.keys()) assert.equal(await bStored(id), false, `R2 event ${id} not stored`);
  });

  it("backfills R1's history, not the R2 event added to the answer", async () => {
    const [msg] = r2Pdus.keys();
    extra = (path, res) => path.startsWith(`${F}/backfill/`) ? { ...res, pdus: [...(res["pdus"] as unknown[]), r2Pdus.get(msg!)] } : res;
    const r = await call<{ chunk: { type: string }[] }>(fed.get("b.test").url, bob, "GET", `/_matrix/client/v3/rooms/${enc(r1)}/messages?dir=b&limit=20`);
    extra = (_p, res) => res;
    assert.ok(r.chunk.some((e) => e.type === "m.room.create"), "history back to m.room.create");
    assert.equal(await bStored(msg!), false);
  });

  it("fills a gap from get_missing_events, without the R2 event it carries", async () => {
    const a = fed.get("a.test").hs!.context;
    const version = getRoomVersion((await a.stores.rooms.getRoom(r1))!.version)!;
    const state = await a.stores.rooms.currentState(r1);
    const pick = (t: string, k = ""): string => state.find((x) => x.type === t && x.stateKey === k)?.eventId ?? "";
    const auth = [pick("m.room.power_levels"), pick("m.room.member", alice.userId), ...(version.roomIdFromCreate ? [] : [pick("m.room.create")])];
    const prevs = await a.stores.events.forwardExtremities(r1);
    const depth = Math.max(...[...(await a.stores.events.getEvents(prevs)).values()].map((x) => x.event.pdu.depth)) + 1;
    const make = (body: string, prev: string[], d: number) => finishEvent({ room_id: r1, sender: alice.userId, type: "m.room.message", content: { msgtype: "m.text", body },
      origin_server_ts: Date.now(), depth: d, prev_events: prev, auth_events: auth }, version, "a.test", a.signingKey);
    const e1 = make("trou", prevs, depth);
    const e2 = make("après le trou", [e1.eventId], depth + 1);
    const [msg] = r2Pdus.keys();
    // a.test never stored e1: the malicious answer is the whole get_missing_events reply
    instead = (path) => path.startsWith(`${F}/get_missing_events/`) ? { events: [e1.pdu, r2Pdus.get(msg!)] } : undefined;
    const res = await a.federation!.client.request<{ pdus: Record<string, { error?: string }> }>("b.test", "PUT", `${F}/send/gap-1`,
      { origin: "a.test", origin_server_ts: Date.now(), pdus: [e2.pdu], edus: [] });
    instead = () => undefined;
    assert.deepEqual(res.pdus[e2.eventId], {});
    const b = fed.get("b.test").hs!.context.stores.events;
    for (const e of [e1, e2]) {
      const row = await b.getEvent(e.eventId);
      assert.ok(row && !row.outlier && !row.rejected, `${e.eventId} in R1's DAG`);
    }
    assert.equal(await bStored(msg!), false);
  });
});
