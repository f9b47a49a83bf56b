// GET /relations with recurse=true walks three levels below the parent in one recursive query
// (storage/event-queries.ts relationTreeIds), filters apply to each returned event's own relation,
// and a page may hold up to 1,000 relations (a task list's anchor has thousands of roots).
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
const V1 = "/_matrix/client/v1";
type Page = { chunk: { event_id: string; content: { body?: string } }[]; next_batch?: string; recursion_depth?: number };

for (const db of ["sqlite", "postgres"] as const) describe(`relations: recursion and large pages (${db})`, function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let alice: Session;
  let roomId: string;
  let n = 0;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    alice = await registerUser(server.url, "alice");
    ({ room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "private_chat" }));
  });
  after(() => server?.stop());

  const send = async (body: string, relatesTo?: { rel_type: string; event_id: string }, type = "m.room.message"): Promise<string> =>
    (await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/${type}/t${n++}`, { msgtype: "m.text", body, ...(relatesTo ? { "m.relates_to": relatesTo } : {}) })).event_id;
  const page = (parent: string, query: string, path = ""): Promise<Page> => call<Page>(server.url, alice, "GET", `${V1}/rooms/${enc(roomId)}/relations/${enc(parent)}${path}?${query}`);
  const bodies = (p: Page): string[] => p.chunk.map((e) => e.content.body ?? "");

  it("walks three levels below the parent, no further, and filters on each event's own relation", async () => {
    const root = await send("racine");
    const a = await send("niveau 1", { rel_type: "m.reference", event_id: root });
    const b = await send("niveau 2", { rel_type: "m.reference", event_id: a });
    const c = await send("niveau 3", { rel_type: "m.reference", event_id: b });
    await send("niveau 4", { rel_type: "m.reference", event_id: c });
    await send("fil", { rel_type: "m.thread", event_id: a });
    assert.deepEqual(bodies(await page(root, "dir=f&recurse=false")), ["niveau 1"]);
    const deep = await page(root, "dir=f&recurse=true");
    assert.deepEqual(bodies(deep), ["niveau 1", "niveau 2", "niveau 3", "fil"]);
    assert.equal(deep.recursion_depth, 3);
    assert.deepEqual(bodies(await page(root, "dir=f&recurse=true", "/m.thread")), ["fil"]);
    assert.deepEqual(bodies(await page(root, "dir=b&recurse=true&limit=2")), ["fil", "niveau 3"]);
  });

  it("serves up to 1,000 relations a page and paginates the rest", async () => {
    const anchor = await send("liste");
    const roots: string[] = [];
    for (let i = 0; i < 120; i++) roots.push(await send(`tâche ${i}`, { rel_type: "m.reference", event_id: anchor }));
    for (const r of roots.slice(0, 30)) await send("mise à jour", { rel_type: "m.reference", event_id: r });
    const direct = await page(anchor, "dir=f&limit=1000");
    assert.equal(direct.chunk.length, 120);
    assert.equal(direct.next_batch, undefined);
    const first = await page(anchor, "dir=f&limit=100&recurse=true");
    assert.equal(first.chunk.length, 100);
    assert.ok(first.next_batch);
    const rest = await page(anchor, `dir=f&limit=1000&recurse=true&from=${enc(first.next_batch ?? "")}`);
    assert.equal(first.chunk.length + rest.chunk.length, 150);
    assert.equal(new Set([...first.chunk, ...rest.chunk].map((e) => e.event_id)).size, 150);
  });

  it("reads a list again after a change (the cached walk is not reused) and bundles each root's references", async () => {
    const anchor = await send("liste bis");
    const t1 = await send("t1", { rel_type: "m.reference", event_id: anchor });
    const u1 = await send("u1", { rel_type: "m.reference", event_id: t1 });
    const all = async (): Promise<string[]> => bodies(await page(anchor, "dir=f&recurse=true&limit=1000"));
    assert.deepEqual(await all(), ["t1", "u1"]);
    assert.deepEqual(await all(), ["t1", "u1"]);
    await send("hors liste");
    const u2 = await send("u2", { rel_type: "m.reference", event_id: t1 });
    assert.deepEqual(await all(), ["t1", "u1", "u2"]);
    type Bundled = { unsigned?: { "m.relations"?: { "m.reference"?: { chunk: { event_id: string }[] } } } };
    const [root] = (await page(anchor, "dir=f")).chunk as unknown as Bundled[];
    assert.deepEqual(root?.unsigned?.["m.relations"]?.["m.reference"]?.chunk.map((c) => c.event_id), [u1, u2]);
  });

  it("fr.entente.lean=true: the same events without room_id and unsigned (a redacted one keeps redacted_because), in the same pages", async () => {
    const anchor = await send("liste lean");
    const t1 = await send("t1", { rel_type: "m.reference", event_id: anchor });
    const u1 = await send("u1", { rel_type: "m.reference", event_id: t1 });
    await send("u2", { rel_type: "m.reference", event_id: t1 });
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(u1)}/r${n++}`, { reason: "erreur" });
    type Ev = Record<string, unknown> & { unsigned?: Record<string, unknown> };
    const full = (await page(anchor, "dir=f&recurse=true&limit=1000")).chunk as unknown as Ev[];
    const lean = (await page(anchor, "dir=f&recurse=true&limit=1000&fr.entente.lean=true")).chunk as unknown as Ev[];
    assert.equal(lean.length, 3);
    // the full events carry room_id, age, the author's transaction id and t1's bundle: the lean ones none of it
    assert.ok(full.every((e) => e["room_id"] === roomId && typeof e.unsigned?.["age"] === "number"));
    assert.ok(full.some((e) => e.unsigned?.["m.relations"] !== undefined));
    const expected = full.map(({ room_id: _r, unsigned, ...rest }) => (unsigned?.["redacted_because"] === undefined ? rest : { ...rest, unsigned: { redacted_because: unsigned["redacted_because"] } }));
    assert.deepEqual(lean, expected);
    const redacted = lean.find((e) => e["event_id"] === u1);
    assert.deepEqual(redacted?.["content"], {});
    assert.ok(redacted?.unsigned?.["redacted_because"] !== undefined);
    // pages split as without it
    const first = await page(anchor, "dir=f&recurse=true&limit=2&fr.entente.lean=true");
    assert.deepEqual(first.chunk.map((e) => e.event_id), full.slice(0, 2).map((e) => e["event_id"]));
    const rest = await page(anchor, `dir=f&recurse=true&limit=2&fr.entente.lean=true&from=${enc(first.next_batch ?? "")}`);
    assert.deepEqual(rest.chunk.map((e) => e.event_id), full.slice(2).map((e) => e["event_id"]));
    // next_batch first in the body: a client reading it as it arrives asks for the next page at once
    const res = await fetch(`${server.url}${V1}/rooms/${enc(roomId)}/relations/${enc(anchor)}?dir=f&recurse=true&limit=2&fr.entente.lean=true`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    const text = await res.text();
    assert.ok(text.startsWith(`{"next_batch":${JSON.stringify(first.next_batch)},"recursion_depth":3,"fr.entente.page":`), text.slice(0, 80));
    // the chunk last, after every other member
    assert.ok(text.indexOf('"chunk":[') > text.indexOf('"fr.entente.page":') && text.endsWith("]}"));
  });

  it("fr.entente.lean=true: the page says how many events it holds and their kinds (type, state key, msgtype) before the chunk", async () => {
    const anchor = await send("liste sommaire");
    const t1 = await send("t1", { rel_type: "m.reference", event_id: anchor });
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t${n++}`, { msgtype: "fr.entente.task", body: "tâche", "m.relates_to": { rel_type: "m.reference", event_id: anchor } });
    await send("u1", { rel_type: "m.reference", event_id: t1 }, "fr.entente.task.update");
    const u2 = await send("u2", { rel_type: "m.reference", event_id: t1 }, "fr.entente.task.update");
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/state/fr.entente.note/cle`, { "m.relates_to": { rel_type: "m.reference", event_id: anchor } });
    const redacted = await send("t2", { rel_type: "m.reference", event_id: anchor });
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(redacted)}/r${n++}`, {});
    type Summary = { count: number; kinds: [string, string | null, string | null][] };
    const read = async (query: string): Promise<Page & { "fr.entente.page"?: Summary }> => call(server.url, alice, "GET", `${V1}/rooms/${enc(roomId)}/relations/${enc(anchor)}?${query}`);
    const lean = await read("dir=f&recurse=true&limit=1000&fr.entente.lean=true");
    const summary = lean["fr.entente.page"];
    assert.equal(lean.chunk.length, 6);
    assert.equal(summary?.count, 6);
    const sorted = (kinds: readonly unknown[]): string[] => kinds.map((k) => JSON.stringify(k)).sort();
    assert.deepEqual(sorted(summary?.kinds ?? []), sorted([
      ["m.room.message", null, "m.text"], ["m.room.message", null, "fr.entente.task"], ["fr.entente.task.update", null, "m.text"], ["fr.entente.note", "cle", null],
      ["m.room.message", null, null], // the redacted root: no content left
    ]));
    // the same kinds as the events sent, one entry each
    const fromChunk = new Set(lean.chunk.map((e) => { const r = e as unknown as { type: string; state_key?: string; content: { msgtype?: string } }; return JSON.stringify([r.type, r.state_key ?? null, r.state_key === undefined ? (r.content.msgtype ?? null) : null]); }));
    assert.deepEqual(sorted(summary?.kinds ?? []), [...fromChunk].sort());
    // a later page counts its own events only; full (not lean) pages carry no summary
    const tail = await read(`dir=f&recurse=true&limit=1000&fr.entente.lean=true&from=${enc((await read("dir=f&recurse=true&limit=4&fr.entente.lean=true")).next_batch ?? "")}`);
    assert.equal(tail["fr.entente.page"]?.count, 2);
    assert.ok(tail.chunk.some((e) => e.event_id === redacted) && !tail.chunk.some((e) => e.event_id === u2));
    assert.equal((await read("dir=f&recurse=true&limit=1000"))["fr.entente.page"], undefined);
  });

  it("fr.entente.lean=true read again (kept encoded by the server): a redaction since shows, and each reader sees only what it may", async () => {
    const bob = await registerUser(server.url, `bob${n++}`);
    const { room_id: room } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(room)}/state/m.room.history_visibility/`, { history_visibility: "joined" });
    await call(server.url, bob, "POST", `${C}/rooms/${enc(room)}/join`, {});
    const sendIn = async (body: string, relatesTo?: { rel_type: string; event_id: string }): Promise<string> =>
      (await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(room)}/send/m.room.message/t${n++}`, { msgtype: "fr.entente.task", body, ...(relatesTo ? { "m.relates_to": relatesTo } : {}) })).event_id;
    const anchor = await sendIn("liste");
    const t1 = await sendIn("t1", { rel_type: "m.reference", event_id: anchor });
    const u1 = await sendIn("u1", { rel_type: "m.reference", event_id: t1 });
    await call(server.url, bob, "POST", `${C}/rooms/${enc(room)}/leave`, {});
    const t2 = await sendIn("t2", { rel_type: "m.reference", event_id: anchor });
    type Ev = { event_id: string; content: Record<string, unknown>; unsigned?: Record<string, unknown> };
    const read = async (who: Session): Promise<Ev[]> => (await call<{ chunk: Ev[] }>(server.url, who, "GET", `${V1}/rooms/${enc(room)}/relations/${enc(anchor)}?dir=f&recurse=true&limit=1000&fr.entente.lean=true`)).chunk;
    assert.deepEqual((await read(alice)).map((e) => e.event_id), [t1, u1, t2]);
    assert.deepEqual((await read(alice)).map((e) => e.event_id), [t1, u1, t2], "read again");
    // Bob left before t2: the events kept from Alice's read are judged for him again.
    assert.deepEqual((await read(bob)).map((e) => e.event_id), [t1, u1]);
    await call(server.url, alice, "PUT", `${C}/rooms/${enc(room)}/redact/${enc(u1)}/r${n++}`, {});
    const after = await read(alice);
    const redacted = after.find((e) => e.event_id === u1);
    assert.deepEqual(redacted?.content, {}, "the redaction shows in the next read");
    assert.ok(redacted?.unsigned?.["redacted_because"] !== undefined);
    assert.equal(after.find((e) => e.event_id === t1)?.content["body"], "t1");
  });
});
