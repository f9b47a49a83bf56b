// Issue 4 acceptance: a user joining late backfills history from another council.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

describe("late joiner backfills history from another council", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("paginates back over events sent before its server joined", async () => {
    fed = await startFederation(["a.test", "b.test"]);
    const a = fed.get("a.test").url;
    const b = fed.get("b.test").url;
    const alice: Session = await registerUser(a, "alice");
    const bob: Session = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat", name: "Archives" });
    const sent = Array.from({ length: 30 }, (_, i) => `historique ${i}`);
    for (const [i, body] of sent.entries()) {
      await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/h${i}`, { msgtype: "m.text", body });
    }
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    const seen: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await call<{ chunk: { type: string; content: { body?: string } }[]; end?: string }>(b, bob, "GET",
        `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=10${from ? `&from=${enc(from)}` : ""}`);
      seen.push(...r.chunk.filter((e) => e.type === "m.room.message").map((e) => String(e.content.body)));
      if (!r.end) break;
      from = r.end;
    }
    assert.deepEqual(seen.reverse(), sent);
  });

  it("hands out history hidden by history_visibility only redacted", async () => {
    const a = fed.get("a.test").url;
    const b = fed.get("b.test").url;
    const alice: Session = await registerUser(a, "alice2");
    const bob: Session = await registerUser(b, "bob2");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", {
      preset: "public_chat", initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }],
    });
    const { event_id: secret } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/s1`, { msgtype: "m.text", body: "avant ton arrivée" });
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    const client = fed.get("b.test").hs!.context.federation!.client;
    const direct = await client.request<{ pdus: { content: Record<string, unknown> }[] }>("a.test", "GET", `/_matrix/federation/v1/event/${enc(secret)}`);
    assert.deepEqual(direct.pdus[0]?.content, {}, "the event is redacted for a server that was not in the room");
    const { event_id: after } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/s2`, { msgtype: "m.text", body: "après ton arrivée" });
    const visible = await client.request<{ pdus: { content: Record<string, unknown> }[] }>("a.test", "GET", `/_matrix/federation/v1/event/${enc(after)}`);
    assert.equal(visible.pdus[0]?.content["body"], "après ton arrivée");
  });
});
