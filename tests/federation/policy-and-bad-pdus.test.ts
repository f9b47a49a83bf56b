// Issue 4 acceptance: server ACLs and the allow-list are enforced; bad PDUs are rejected or
// redacted as the spec says without harming the room; a replayed transaction is a no-op.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { finishEvent, type PduDraft } from "../../homeserver/src/room/sign-event.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { eventIdOf } from "../../homeserver/src/room/hashes.ts";
import { canonicalJson } from "../../homeserver/src/spec/canonical-json.ts";

describe("federation policy and bad PDUs", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session, carol: Session;
  let a: string, b: string, c: string;
  let roomId: string;
  const v12 = getRoomVersion("12")!;

  const cSend = async (txnId: string, pdus: unknown[], edus: unknown[] = []): Promise<{ pdus: Record<string, { error?: string }> }> =>
    fed.get("c.test").hs!.context.federation!.client.request("a.test", "PUT", `/_matrix/federation/v1/send/${txnId}`, { origin: "c.test", origin_server_ts: Date.now(), pdus, edus });

  const carolEvent = async (content: JsonObject, extra: Partial<PduDraft> = {}): Promise<{ eventId: string; pdu: Pdu }> => {
    const ctx = fed.get("a.test").hs!.context;
    const prevs = await ctx.stores.events.forwardExtremities(roomId);
    const state = await ctx.stores.rooms.currentState(roomId);
    const pick = (t: string, k = ""): string => state.find((s) => s.type === t && s.stateKey === k)?.eventId ?? "";
    const prevRows = await ctx.stores.events.getEvents(prevs);
    const draft: PduDraft = {
      room_id: roomId, sender: carol.userId, type: "m.room.message", content, origin_server_ts: Date.now(),
      depth: Math.max(...[...prevRows.values()].map((r) => r.event.pdu.depth)) + 1, prev_events: prevs,
      auth_events: [pick("m.room.power_levels"), pick("m.room.member", carol.userId)], ...extra,
    };
    return finishEvent(draft, v12, "c.test", fed.get("c.test").hs!.context.signingKey);
  };

  const messages = async (): Promise<string[]> => {
    const page = await call<{ chunk: { type: string; content: { body?: string } }[] }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=100`);
    return page.chunk.filter((e) => e.type === "m.room.message").map((e) => String(e.content.body));
  };

  before(async () => {
    fed = await startFederation(["a.test", "b.test", "c.test", "outsider.test"], {
      configure: (name, cfg) => {
        if (name !== "outsider.test") cfg.federation.allowList = ["a.test", "b.test", "c.test"];
      },
    });
    a = fed.get("a.test").url;
    b = fed.get("b.test").url;
    c = fed.get("c.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    carol = await registerUser(c, "carol");
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }));
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    await call(c, carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
  });
  after(() => fed?.stop());

  it("accepts a well-formed PDU and makes a replayed transaction a no-op", async () => {
    const ev = await carolEvent({ msgtype: "m.text", body: "valide" });
    const first = await cSend("replay-1", [ev.pdu]);
    assert.deepEqual(first.pdus[ev.eventId], {});
    const again = await cSend("replay-1", [ev.pdu]);
    assert.deepEqual(again, first);
    assert.equal((await messages()).filter((m) => m === "valide").length, 1);
  });

  it("drops PDUs with a bad signature, a wrong room version shape or an oversize body", async () => {
    const good = await carolEvent({ msgtype: "m.text", body: "signature altérée" });
    const badSig = { ...good.pdu, signatures: { "c.test": { [Object.keys(good.pdu.signatures["c.test"]!)[0]!]: "A".repeat(86) } } };
    const oversize = await carolEvent({ msgtype: "m.text", body: "x".repeat(70_000) });
    const wrongShape = { ...(await carolEvent({ msgtype: "m.text", body: "forme" })).pdu, depth: "deep" };
    // a room-version-1/2 style event (ids "$local:server") in a version 12 room
    const wrongVersion = (await carolEvent({ msgtype: "m.text", body: "ancienne version" }, { prev_events: ["$ancien:c.test"] })).pdu;
    const r = await cSend("bad-1", [badSig, oversize.pdu, wrongShape, wrongVersion]);
    // each is dropped for its own reason, reported under its event id, and nothing is stored
    const ids = [badSig, oversize.pdu, wrongShape, wrongVersion].map((p) => eventIdOf(p as Pdu, v12));
    assert.deepEqual(ids.map((id) => r.pdus[id]?.error), [
      "bad or unverifiable signature from c.test",
      `PDU is ${Buffer.byteLength(canonicalJson(oversize.pdu))} bytes, over the 65536-byte limit`,
      "depth must be a non-negative integer",
      "prev_events[0] is not a valid event id",
    ], JSON.stringify(r));
    assert.equal(ids[0], good.eventId, "the bad signature is reported under the event's own id");
    const stored = await fed.get("a.test").hs!.context.stores.events.getEvents(ids);
    assert.equal(stored.size, 0, "none of them is stored, not even as rejected");
    const seen = await messages();
    assert.ok(!seen.includes("signature altérée") && !seen.includes("forme") && !seen.includes("ancienne version"));
  });

  it("redacts a PDU whose content hash does not match, and rejects one failing auth", async () => {
    const ev = await carolEvent({ msgtype: "m.text", body: "original" });
    // changing content after signing keeps the signature (over the redacted form) valid but breaks the hash
    const tampered = { ...ev.pdu, content: { msgtype: "m.text", body: "falsifié" } };
    const forged = await carolEvent({ name: "usurpé" }, { type: "m.room.name", state_key: "" });
    const r = await cSend("bad-2", [tampered, forged.pdu]);
    assert.deepEqual(r.pdus[ev.eventId], {});
    assert.deepEqual(r.pdus[forged.eventId], {}, "a rejected PDU is accepted into the DAG (and marked), not an error of the transaction");
    const events = fed.get("a.test").hs!.context.stores.events;
    const stored = await events.getEvent(ev.eventId);
    assert.deepEqual(stored?.event.pdu.content, {}, "stored redacted");
    assert.deepEqual([stored?.rejected, stored?.softFailed, stored?.outlier], [undefined, false, false], "redacted, but neither rejected nor soft-failed");
    const forgedRow = await events.getEvent(forged.eventId);
    assert.match(forgedRow?.rejected ?? "", /power/i, "rejected by the auth rules for lack of power");
    assert.equal(forgedRow?.softFailed, false);
    const name = await call(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name`).catch((e: { status: number }) => e.status);
    assert.equal(name, 404, "the forged name is not current state");
    // the room is unharmed
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/ok`, { msgtype: "m.text", body: "toujours là" });
    await waitFor("B still gets messages", async () => {
      const page = await call<{ chunk: { content: { body?: string } }[] }>(b, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=5`);
      return page.chunk.some((e) => e.content.body === "toujours là") || undefined;
    });
  });

  it("soft-fails an event allowed by the state before it but not by the current state", async () => {
    // built on the DAG while carol is joined, received once she was kicked
    const ev = await carolEvent({ msgtype: "m.text", body: "après l'expulsion" });
    await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/kick`, { user_id: carol.userId });
    const r = await cSend("soft-1", [ev.pdu]);
    assert.deepEqual(r.pdus[ev.eventId], {});
    const row = await fed.get("a.test").hs!.context.stores.events.getEvent(ev.eventId);
    assert.deepEqual([row?.softFailed, row?.rejected, row?.outlier], [true, undefined, false], "stored soft-failed, not rejected");
    assert.ok(!(await messages()).includes("après l'expulsion"), "clients never see it");
    // carol comes back for the next tests
    await call(c, carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
  });

  it("applies a remote redaction only to the same server's events or with the redact power", async () => {
    const { event_id: aliceMsg } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/keep`, { msgtype: "m.text", body: "à garder" });
    const own = await carolEvent({ msgtype: "m.text", body: "à effacer" });
    await cSend("redact-0", [own.pdu]);
    const ctx = fed.get("a.test").hs!.context;
    const state = await ctx.stores.rooms.currentState(roomId);
    const pick = (t: string, k = ""): string => state.find((x) => x.type === t && x.stateKey === k)?.eventId ?? "";
    const redaction = async (target: string): Promise<{ eventId: string; pdu: Pdu }> => {
      const prevs = await ctx.stores.events.forwardExtremities(roomId);
      const depth = Math.max(...[...(await ctx.stores.events.getEvents(prevs)).values()].map((r) => r.event.pdu.depth)) + 1;
      return finishEvent({ room_id: roomId, sender: carol.userId, type: "m.room.redaction", content: { redacts: target }, origin_server_ts: Date.now(), depth,
        prev_events: prevs, auth_events: [pick("m.room.power_levels"), pick("m.room.member", carol.userId)] }, v12, "c.test", fed.get("c.test").hs!.context.signingKey);
    };
    const onAlice = await redaction(aliceMsg);
    await cSend("redact-1", [onAlice.pdu]);
    const onOwn = await redaction(own.eventId);
    await cSend("redact-2", [onOwn.pdu]);
    assert.equal((await ctx.stores.events.getEvent(aliceMsg))?.redactedBy, undefined, "alice's message is not redacted by another server's user");
    assert.equal((await ctx.stores.events.getEvent(own.eventId))?.redactedBy, onOwn.eventId);
  });

  it("enforces a server ACL denying C on PDUs and EDUs", async () => {
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.server_acl`, { allow: ["*"], deny: ["c.test"], allow_ip_literals: false });
    await waitFor("ACL on B", async () => {
      const acl = await call<{ deny?: string[] }>(b, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.server_acl`).catch(() => ({ deny: [] as string[] }));
      return acl.deny?.includes("c.test") || undefined;
    });
    const ev = await carolEvent({ msgtype: "m.text", body: "refusé par l'ACL" });
    const typing = { edu_type: "m.typing", content: { room_id: roomId, user_id: carol.userId, typing: true } };
    const r = await cSend("acl-1", [ev.pdu], [typing]);
    assert.match(r.pdus[Object.keys(r.pdus)[0]!]?.error ?? "", /ACL/);
    assert.ok(!(await messages()).includes("refusé par l'ACL"));
    assert.deepEqual(fed.get("a.test").hs!.context.typing.current(roomId), []);
    // B refuses C's events too (C's own server still sends them)
    await call(c, carol, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/acl2`, { msgtype: "m.text", body: "envoyé par C" }).catch(() => undefined);
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/marker`, { msgtype: "m.text", body: "repère" });
    await waitFor("marker on B", async () => {
      const page = await call<{ chunk: { content: { body?: string } }[] }>(b, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=10`);
      return page.chunk.some((e) => e.content.body === "repère") || undefined;
    });
    const page = await call<{ chunk: { content: { body?: string } }[] }>(b, bob, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=20`);
    assert.ok(!page.chunk.some((e) => e.content.body === "envoyé par C"));
  });

  it("refuses a server that is not in the allow-list, with a clear error", async () => {
    const outsider = await registerUser(fed.get("outsider.test").url, "intrus");
    const err = await call(fed.get("outsider.test").url, outsider, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {}).catch((e: { status: number; body: Record<string, unknown> }) => e);
    assert.equal((err as { status: number }).status, 403);
    const inviteErr = await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: outsider.userId }).catch((e: { status: number; body: Record<string, unknown> }) => e);
    assert.equal((inviteErr as { status: number }).status, 403);
    assert.match(String((inviteErr as { body: Record<string, unknown> }).body["error"]), /not allowed/);
  });
});
