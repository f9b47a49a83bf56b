// Issue 10 item 1: relations of events received over federation are indexed. A thread reply sent
// from one council shows in the other's /relations and /threads (and bundled aggregations); a
// reaction and an edit from the other side too. Read with matrix-js-sdk where a client reads.
// Relations of history a council fetched by backfill (stored at negative positions: a partner's
// task list from before its agent joined) are listed too, recursively and forwards.
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import { newClient, type TestClient } from "../harness/matrix-client.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

describe("relations across two councils", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let a: string;
  let b: string;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;
  let root: string;
  after(() => fed?.stop());

  const session = (c: TestClient): Session => ({ userId: c.userId, accessToken: c.accessToken });
  const send = (base: string, c: TestClient, txn: string, content: Record<string, unknown>, type = "m.room.message") =>
    call<{ event_id: string }>(base, session(c), "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/${txn}`, content).then((r) => r.event_id);
  const has = async (base: string, c: TestClient, eventId: string) => {
    try {
      await call(base, session(c), "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(eventId)}`);
      return true;
    } catch {
      return undefined;
    }
  };

  before(async () => {
    fed = await startFederation(["ville-a.test", "agglo-b.test"]);
    a = fed.get("ville-a.test").url;
    b = fed.get("agglo-b.test").url;
    alice = await newClient(a, "alice");
    bob = await newClient(b, "bob");
    ({ room_id: roomId } = await call<{ room_id: string }>(a, session(alice), "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat", name: "Voirie" }));
    await call(b, session(bob), "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=ville-a.test`, {});
    root = await send(a, alice, "root", { msgtype: "m.text", body: "Travaux rue de la Paix" });
    await waitFor("root on agglo-b", () => has(b, bob, root));
  });

  it("a thread reply from agglo-b is in ville-a's /relations and /threads", async () => {
    const reply = await send(b, bob, "t1", { msgtype: "m.text", body: "On s'en occupe", "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } });
    await waitFor("reply on ville-a", () => has(a, alice, reply));
    const rel = await alice.client.fetchRelations(roomId, root, sdk.THREAD_RELATION_TYPE.name, null);
    assert.deepEqual(rel.chunk.map((e) => e.event_id), [reply]);
    type Threads = { chunk: { event_id: string; unsigned?: Record<string, unknown> }[] };
    // raw /threads: matrix-js-sdk picks the stable path only after a started client read /versions
    const threads = await call<Threads>(a, session(alice), "GET", `/_matrix/client/v1/rooms/${enc(roomId)}/threads?include=all`);
    assert.deepEqual(threads.chunk.map((e) => e.event_id), [root]);
    const summary = (threads.chunk[0]?.unsigned?.["m.relations"] as Record<string, { count: number; latest_event: { event_id: string } }> | undefined)?.["m.thread"];
    assert.equal(summary?.count, 1, "bundled thread summary counts the remote reply");
    assert.equal(summary?.latest_event.event_id, reply);
    // threads Alice took part in: writing the root counts
    const mine = await call<Threads>(a, session(alice), "GET", `/_matrix/client/v1/rooms/${enc(roomId)}/threads?include=participated`);
    assert.deepEqual(mine.chunk.map((e) => e.event_id), [root]);
  });

  it("a reaction and an edit from ville-a are in agglo-b's /relations and aggregations", async () => {
    const reaction = await send(a, alice, "r1", { "m.relates_to": { rel_type: "m.annotation", event_id: root, key: "👍" } }, "m.reaction");
    const edit = await send(a, alice, "e1", { msgtype: "m.text", body: "* Travaux rue de la Paix (lundi)", "m.new_content": { msgtype: "m.text", body: "Travaux rue de la Paix (lundi)" }, "m.relates_to": { rel_type: "m.replace", event_id: root } });
    await waitFor("edit on agglo-b", () => has(b, bob, edit));
    const reactions = await bob.client.fetchRelations(roomId, root, sdk.RelationType.Annotation, null);
    assert.deepEqual(reactions.chunk.map((e) => e.event_id), [reaction]);
    const edits = await bob.client.fetchRelations(roomId, root, sdk.RelationType.Replace, null);
    assert.deepEqual(edits.chunk.map((e) => e.event_id), [edit]);
    const ev = await call<{ unsigned?: { "m.relations"?: Record<string, { event_id?: string }> } }>(b, session(bob), "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(root)}`);
    assert.equal(ev.unsigned?.["m.relations"]?.["m.replace"]?.event_id, edit, "the edit is bundled on agglo-b");
    assert.ok(ev.unsigned?.["m.relations"]?.["m.thread"], "the thread (reply from agglo-b) is bundled too");
  });

  it("relations of history agglo-b backfilled (sent before Bob joined) are listed, recursively and forwards", async () => {
    const A = session(alice);
    const B = session(bob);
    const C = "/_matrix/client/v3";
    const { room_id: list } = await call<{ room_id: string }>(a, A, "POST", `${C}/createRoom`, { preset: "public_chat", name: "Tâches" });
    const put = (body: Record<string, unknown>, txn: string) => call<{ event_id: string }>(a, A, "PUT", `${C}/rooms/${enc(list)}/send/m.room.message/${txn}`, body).then((r) => r.event_id);
    const anchor = await put({ msgtype: "m.notice", body: "Liste des tâches" }, "anchor");
    const task = await put({ msgtype: "m.text", body: "Préparer le budget", "m.relates_to": { rel_type: "m.reference", event_id: anchor } }, "task");
    const update = await put({ msgtype: "m.text", body: "fait", "m.relates_to": { rel_type: "m.reference", event_id: task } }, "update");
    for (let i = 0; i < 12; i++) await put({ msgtype: "m.text", body: `discussion ${i}` }, `chat${i}`);
    await call(b, B, "POST", `${C}/join/${enc(list)}?via=ville-a.test`, {});
    // Bob pages back: agglo-b fetches the history from ville-a (backfill)
    await waitFor("the anchor backfilled on agglo-b", async () => {
      const page = await call<{ chunk: { event_id: string }[] }>(b, B, "GET", `${C}/rooms/${enc(list)}/messages?dir=b&limit=50`);
      return page.chunk.some((e) => e.event_id === anchor) ? true : undefined;
    });
    type Page = { chunk: { event_id: string }[] };
    const rel = (query: string) => call<Page>(b, B, "GET", `/_matrix/client/v1/rooms/${enc(list)}/relations/${enc(anchor)}?${query}`).then((p) => p.chunk.map((e) => e.event_id).sort());
    assert.deepEqual(await rel("recurse=true&limit=50"), [task, update].sort(), "the whole tree, recursively");
    assert.deepEqual(await rel("dir=f&limit=50"), [task], "forwards from the start");
    assert.deepEqual(await rel("limit=50"), [task], "backwards from the newest");
    // /messages forwards without 'from' starts at the room's beginning too, and its start token parses
    const fwd = await call<{ chunk: { event_id: string }[]; start: string }>(b, B, "GET", `${C}/rooms/${enc(list)}/messages?dir=f&limit=100`);
    assert.ok(fwd.chunk.some((e) => e.event_id === anchor), "the backfilled anchor, forwards from the start");
    await call(b, B, "GET", `${C}/rooms/${enc(list)}/messages?dir=f&limit=1&from=${enc(fwd.start)}`);
  });
});
