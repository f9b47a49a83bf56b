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
    assert.ok((await res.text()).startsWith(`{"next_batch":${JSON.stringify(first.next_batch)},"chunk":[`));
  });
});
