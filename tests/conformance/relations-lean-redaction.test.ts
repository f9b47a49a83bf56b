// The lean /relations cache (relations-lean-cache.ts) and a redaction on SQLite, where reads share
// the writer's connection and can see a write body half done: a lean read made between the
// redaction's INSERT and its target's marking (forced here by wrapping markRedacted) must not leave
// the unredacted text kept; every read after the redaction serves the target redacted.
import assert from "node:assert/strict";
import { relationsHandler } from "../../homeserver/src/server/api/room-queries/relations.ts";
import { redactHandler } from "../../homeserver/src/server/api/rooms/send.ts";
import type { RequestContext } from "../../homeserver/src/server/http/request-context.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";

describe("lean /relations cache: a read inside a redaction's write body (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  it("keeps nothing read while the body ran: the redacted event is served redacted afterwards", async () => {
    server = await startTestHomeserver();
    const s = server.hs.context;
    const alice = await registerUser(server.url, "alice");
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", "/_matrix/client/v3/createRoom", {});
    let n = 0;
    const send = async (content: unknown): Promise<string> =>
      (await call<{ event_id: string }>(server!.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/x${n++}`, content)).event_id;
    const anchor = await send({ msgtype: "m.text", body: "anchor" });
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) secrets.push(await send({ msgtype: "m.text", body: `secret ${i}`, "m.relates_to": { rel_type: "m.reference", event_id: anchor } }));
    const ctx = (params: Record<string, string>, query = ""): RequestContext => ({
      requestId: "r", method: "GET", path: "/", params, query: new URLSearchParams(query), body: {}, req: { headers: {} } as never, ip: "127.0.0.1",
      log: { info() {}, warn() {}, error() {}, debug() {} } as never, accessToken: alice.accessToken,
    });
    const relations = relationsHandler(s);
    const read = async (): Promise<Record<string, unknown>[]> => {
      const r = (await relations(ctx({ roomId, eventId: anchor }, "fr.entente.lean=true&recurse=true&dir=f&limit=1000"))) as { raw: Uint8Array };
      return (JSON.parse(Buffer.from(r.raw).toString("utf8")) as { chunk: Record<string, unknown>[] }).chunk;
    };
    const bodyOf = (chunk: Record<string, unknown>[], id: string): unknown => (chunk.find((e) => e["event_id"] === id)?.["content"] as { body?: unknown } | undefined)?.body;
    assert.equal(bodyOf(await read(), secrets[0]!), "secret 0", "kept by a first read");

    const events = s.stores.events;
    const original = events.markRedacted.bind(events);
    let readInside: unknown;
    events.markRedacted = async (tx, eventId, redactionId) => {
      readInside = bodyOf(await read(), secrets[0]!);
      return original(tx, eventId, redactionId);
    };
    try {
      await redactHandler(s)({ ...ctx({ roomId, eventId: secrets[0]!, txnId: "r1" }), method: "PUT" });
    } finally {
      events.markRedacted = original;
    }
    assert.equal(readInside, "secret 0", "the read inside the body saw the target not yet marked (the window exists)");
    assert.equal(bodyOf(await read(), secrets[0]!), undefined, "served redacted after the redaction");
    assert.equal(bodyOf(await read(), secrets[1]!), "secret 1", "the others still served");
  });
});
