// Server-side search (issue 10 item 18), POST /_matrix/client/v3/search on a real server, on
// SQLite and PostgreSQL: French words, ranking and recent order with next_batch, filters, keys,
// context, highlights, groupings, history visibility, encryption, redaction, bad input.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#server-side-search
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, waitFor, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C, expectError, type Reply } from "../appservice-helpers.ts";

interface Hit { rank: number; result: { event_id: string; type: string; sender: string; room_id: string; content: Record<string, unknown> }; context?: Record<string, unknown> }
interface RoomEvents { results: Hit[]; count: number; highlights: string[]; next_batch?: string; groups?: Record<string, Record<string, { results: string[]; order: number; next_batch?: string }>>; state?: Record<string, unknown[]> }

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`server-side search (${db})`, function () {
  this.timeout(90_000);
  let t: TestHomeserver;
  let alice: string;
  let bob: string;
  let carol: string;
  let aliceId: string;
  let bobId: string;
  let council: string;
  let other: string;
  const ev: Record<string, string> = {};
  const enc = encodeURIComponent;

  type Body = { event_id: string; room_id: string; chunk: { event_id: string }[] };
  async function ok(r: Promise<Reply>): Promise<Body> {
    const res = await r;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Body;
  }
  const send = async (token: string, room: string, body: string, type = "m.room.message", content?: Record<string, unknown>): Promise<string> =>
    (await ok(call(t.url, "PUT", `${C}/rooms/${enc(room)}/send/${type}/${Math.random().toString(36).slice(2)}`, { token, body: content ?? { msgtype: "m.text", body } }))).event_id;
  const state = async (token: string, room: string, type: string, content: Record<string, unknown>): Promise<string> =>
    (await ok(call(t.url, "PUT", `${C}/rooms/${enc(room)}/state/${type}/`, { token, body: content }))).event_id;
  const search = (token: string, roomEvents: Record<string, unknown>, nextBatch?: string): Promise<Reply> =>
    call(t.url, "POST", `${C}/search${nextBatch === undefined ? "" : `?next_batch=${enc(nextBatch)}`}`, { token, body: { search_categories: { room_events: roomEvents } } });
  const found = async (token: string, roomEvents: Record<string, unknown>, nextBatch?: string): Promise<RoomEvents> =>
    ((await ok(search(token, roomEvents, nextBatch))) as unknown as { search_categories: { room_events: RoomEvents } }).search_categories.room_events;
  const ids = async (token: string, roomEvents: Record<string, unknown>): Promise<string[]> => (await found(token, roomEvents)).results.map((r) => r.result.event_id);

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    t = await startTestHomeserver({ db });
    const a = await registerUser(t.url, "alice");
    const b = await registerUser(t.url, "bob");
    const c = await registerUser(t.url, "carol");
    [alice, bob, carol, aliceId, bobId] = [a.accessToken, b.accessToken, c.accessToken, a.userId, b.userId];
    await ok(call(t.url, "PUT", `${C}/profile/${enc(aliceId)}/displayname`, { token: alice, body: { displayname: "Alice Martin" } }));
    council = (await ok(call(t.url, "POST", `${C}/createRoom`, { token: alice, body: { preset: "public_chat", name: "Conseil municipal", topic: "Ordre du jour des séances" } }))).room_id;
    other = (await ok(call(t.url, "POST", `${C}/createRoom`, { token: alice, body: { preset: "private_chat" } }))).room_id;
    await ok(call(t.url, "POST", `${C}/join/${enc(council)}`, { token: bob, body: {} }));
    ev["first"] = await send(alice, council, "La réunion du conseil est lundi");
    ev["bob1"] = await send(bob, council, "Compte rendu de la réunion budgétaire");
    ev["budget"] = await send(alice, council, "Le budget 2027 est voté");
    ev["plural"] = await send(bob, council, "Les réunions de quartier reprennent");
    ev["last"] = await send(alice, council, "Prochaine réunion : jeudi");
    ev["secret"] = await send(alice, other, "réunion secrète du bureau");
  });
  after(async () => t?.stop());

  it("finds French words with accents and case folded, only in joined rooms", async () => {
    const mine = await ids(alice, { search_term: "REUNION" });
    for (const k of ["first", "bob1", "last", "secret"]) assert.ok(mine.includes(ev[k] ?? ""), `${k} found for alice`);
    const bobs = await ids(bob, { search_term: "reunion" });
    assert.ok(!bobs.includes(ev["secret"] ?? ""), "bob is not in the other room");
    assert.ok(bobs.includes(ev["first"] ?? ""));
    assert.deepEqual(await ids(carol, { search_term: "réunion" }), [], "carol is in no room");
  });

  it(db === "postgres" ? "stems: 'réunions' finds 'réunion' (french config)" : "SQLite has no stemmer: 'réunion' finds 'réunions' by prefix, not the other way", async () => {
    if (db === "postgres") {
      const r = await found(alice, { search_term: "réunions" });
      assert.ok(r.results.some((h) => h.result.event_id === ev["first"]), "singular found from the plural");
      assert.ok(r.highlights.includes("réunion") && r.highlights.includes("réunions"), `highlights as written: ${r.highlights.join()}`);
    } else {
      assert.ok((await ids(alice, { search_term: "réunion" })).includes(ev["plural"] ?? ""));
      assert.deepEqual(await ids(alice, { search_term: "réunions" }), [ev["plural"]]);
    }
  });

  it("highlights the words as written in the results", async () => {
    const r = await found(alice, { search_term: "reunion", filter: { rooms: [council] } });
    assert.ok(r.highlights.includes("réunion"), r.highlights.join());
  });

  it("recent order pages newest first with next_batch; count is the total", async () => {
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    let count = -1;
    do {
      const r: RoomEvents = await found(alice, { search_term: "réunion", order_by: "recent", filter: { limit: 2, rooms: [council] } }, next);
      seen.push(...r.results.map((h) => h.result.event_id));
      count = r.count;
      next = r.next_batch;
      pages++;
    } while (next !== undefined && pages < 10);
    assert.deepEqual(seen, ["last", "plural", "bob1", "first"].map((k) => ev[k]));
    assert.equal(count, 4);
    assert.ok(pages >= 2 && pages <= 3, `${pages} pages`);
  });

  it("rank order: ranks never increase and pages cover each hit once", async () => {
    const all = await found(alice, { search_term: "réunion conseil", filter: { rooms: [council] } });
    const ranks = all.results.map((h) => h.rank);
    for (let i = 1; i < ranks.length; i++) assert.ok((ranks[i - 1] ?? 0) >= (ranks[i] ?? 0), ranks.join());
    const p1 = await found(alice, { search_term: "réunion", filter: { limit: 3 } });
    assert.ok(p1.next_batch, "more than one page");
    const p2 = await found(alice, { search_term: "réunion", filter: { limit: 3 } }, p1.next_batch);
    const both = [...p1.results, ...p2.results].map((h) => h.result.event_id);
    assert.equal(new Set(both).size, both.length, "no duplicates");
    assert.deepEqual([...both].sort(), [...(await ids(alice, { search_term: "réunion" }))].sort());
  });

  it("filters: senders, not_senders, types, not_rooms; keys name/topic", async () => {
    assert.deepEqual(await ids(alice, { search_term: "réunion", order_by: "recent", filter: { senders: [bobId] } }), [ev["plural"], ev["bob1"]]);
    assert.ok(!(await ids(alice, { search_term: "réunion", filter: { not_senders: [aliceId] } })).includes(ev["first"] ?? ""));
    assert.deepEqual(await ids(alice, { search_term: "réunion", filter: { not_rooms: [council] } }), [ev["secret"]]);
    assert.deepEqual(await ids(alice, { search_term: "réunion", filter: { types: ["m.room.name"] } }), []);
    const name = await found(alice, { search_term: "municipal", keys: ["content.name"] });
    assert.deepEqual(name.results.map((h) => h.result.type), ["m.room.name"]);
    assert.deepEqual(await ids(alice, { search_term: "municipal", keys: ["content.body"] }), []);
    const topic = await found(alice, { search_term: "séances", keys: ["content.topic"] });
    assert.deepEqual(topic.results.map((h) => h.result.type), ["m.room.topic"]);
  });

  it("event_context: events around the result, tokens, profiles from the room state", async () => {
    const r = await found(bob, { search_term: "budget 2027", event_context: { before_limit: 1, after_limit: 1, include_profile: true } });
    assert.deepEqual(r.results.map((h) => h.result.event_id), [ev["budget"]]);
    const context = r.results[0]?.context as { events_before: { event_id: string }[]; events_after: { event_id: string }[]; start: string; end: string; profile_info: Record<string, { displayname?: string }> };
    assert.deepEqual(context.events_before.map((e) => e.event_id), [ev["bob1"]]);
    assert.deepEqual(context.events_after.map((e) => e.event_id), [ev["plural"]]);
    assert.match(context.start, /^t-?\d+$/);
    assert.equal(context.profile_info[aliceId]?.displayname, "Alice Martin");
    assert.ok(bobId in context.profile_info);
    // start continues /messages backwards just before the context: the event before bob1 is the first message
    const messages = await ok(call(t.url, "GET", `${C}/rooms/${enc(council)}/messages?dir=b&limit=1&from=${enc(context.start)}`, { token: bob }));
    assert.equal(messages.chunk[0]?.event_id, ev["first"]);
  });

  it("groupings by room_id and sender, each group with a next_batch for more of that group", async () => {
    const r = await found(alice, { search_term: "réunion", order_by: "recent", filter: { limit: 2 }, groupings: { group_by: [{ key: "room_id" }, { key: "sender" }] } });
    const byRoom = r.groups?.["room_id"] ?? {};
    const pageIds = r.results.map((h) => h.result.event_id);
    assert.deepEqual(Object.values(byRoom).flatMap((g) => g.results).sort(), [...pageIds].sort());
    // newest first: the other room's message, then the council's last one
    assert.deepEqual(Object.entries(byRoom).map(([room, g]) => [room, g.order]), [[other, 1], [council, 2]]);
    const more = await found(alice, { search_term: "réunion", order_by: "recent", filter: { limit: 10 } }, byRoom[council]?.next_batch);
    assert.deepEqual(more.results.map((h) => h.result.event_id), ["plural", "bob1", "first"].map((k) => ev[k]), "the group's next_batch stays in its room");
    assert.ok(more.results.every((h) => !pageIds.includes(h.result.event_id)));
    assert.ok(Object.keys(r.groups?.["sender"] ?? {}).every((u) => u === aliceId || u === bobId));
  });

  it("include_state gives the current state of each room in the results", async () => {
    const r = await found(bob, { search_term: "budget", include_state: true });
    const types = (r.state?.[council] as { type: string }[] | undefined)?.map((e) => e.type) ?? [];
    assert.ok(types.includes("m.room.create") && types.includes("m.room.name"), types.join());
  });

  it("a redacted event is no longer found, and leaves the index", async () => {
    const id = await send(alice, council, "message éphémère à retirer");
    assert.deepEqual(await ids(alice, { search_term: "éphémère" }), [id]);
    await ok(call(t.url, "PUT", `${C}/rooms/${enc(council)}/redact/${enc(id)}/r1`, { token: alice, body: { reason: "erreur" } }));
    assert.deepEqual(await ids(alice, { search_term: "éphémère" }), []);
    const dbx = t.hs.context.db;
    const col = dbx.dialect === "sqlite" ? "rowid" : "stream_ordering";
    const left = await dbx.one<{ n: number }>(`SELECT COUNT(*) AS n FROM event_search WHERE ${col} IN (SELECT stream_ordering FROM events WHERE event_id = ?)`, [id]);
    assert.equal(Number(left?.n), 0);
  });

  it("encrypted events are never indexed; cleartext from before encryption stays searchable", async () => {
    const room = (await ok(call(t.url, "POST", `${C}/createRoom`, { token: alice, body: { preset: "private_chat" } }))).room_id;
    const before = await send(alice, room, "délibération avant chiffrement");
    await state(alice, room, "m.room.encryption", { algorithm: "m.megolm.v1.aes-sha2" });
    await send(alice, room, "", "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEn", sender_key: "k", session_id: "s", device_id: "D", body: "délibération chiffrée" });
    assert.deepEqual(await ids(alice, { search_term: "délibération", filter: { rooms: [room] } }), [before]);
  });

  it("history visibility: a member who joined later does not find what was hidden from them", async () => {
    const room = (await ok(call(t.url, "POST", `${C}/createRoom`, { token: alice, body: { preset: "public_chat", initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }] } }))).room_id;
    await send(alice, room, "dossier confidentiel avant");
    await ok(call(t.url, "POST", `${C}/join/${enc(room)}`, { token: carol, body: {} }));
    const after = await send(alice, room, "dossier confidentiel après");
    assert.deepEqual(await ids(carol, { search_term: "confidentiel" }), [after]);
    assert.equal((await ids(alice, { search_term: "confidentiel" })).length, 2);
  });

  it("bad input: M_BAD_JSON for wrong shapes, M_INVALID_PARAM for wrong values, M_UNKNOWN for unknown categories", async () => {
    const raw = (body: unknown, query = ""): Promise<Reply> => call(t.url, "POST", `${C}/search${query}`, { token: alice, body });
    expectError(await raw([1, 2]), 400, "M_BAD_JSON");
    expectError(await raw({}), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: [] }), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: { room_events: {} } }), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: { room_events: { search_term: 42 } } }), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", keys: "content.body" } } }), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", keys: ["content.url"] } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", order_by: "size" } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", filter: { limit: -1 } } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", filter: { senders: "@a:b" } } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", event_context: { before_limit: "5" } } } }), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", event_context: { after_limit: -1 } } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", groupings: { group_by: [{ key: "type" }] } } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x", groupings: { group_by: {} } } } }), 400, "M_BAD_JSON");
    expectError(await raw({ search_categories: { room_events: { search_term: "x".repeat(1001) } } }), 400, "M_INVALID_PARAM");
    expectError(await raw({ search_categories: { room_events: { search_term: "x" }, users: {} } }), 400, "M_UNKNOWN");
    expectError(await raw({ search_categories: { room_events: { search_term: "x" } } }, "?next_batch=not-a-token"), 400, "M_INVALID_PARAM");
    const recent = await found(alice, { search_term: "réunion", order_by: "recent", filter: { limit: 1 } });
    expectError(await raw({ search_categories: { room_events: { search_term: "réunion" } } }, `?next_batch=${enc(recent.next_batch ?? "")}`), 400, "M_INVALID_PARAM");
    expectError(await call(t.url, "POST", `${C}/search`, { body: { search_categories: { room_events: { search_term: "x" } } } }), 401, "M_MISSING_TOKEN");
    // Punctuation alone has no words: an empty answer, not an error.
    assert.deepEqual((await found(alice, { search_term: "?!" })).results, []);
  });
});

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`server-side search across councils (${db})`, function () {
  this.timeout(120_000);
  let fed: TestFederation;
  after(async () => fed?.stop());

  it("finds a message sent from another council (with context) and backfilled history; a remote redaction removes it", async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    const enc = encodeURIComponent;
    const room = (await call(a, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat", name: "Intercommunalité" } })).body.room_id as string;
    const early = (await call(a, "PUT", `${C}/rooms/${enc(room)}/send/m.room.message/t0`, { token: alice.accessToken, body: { msgtype: "m.text", body: "Ordre du jour préparatoire" } })).body.event_id as string;
    assert.equal((await call(b, "POST", `${C}/join/${enc(room)}?via=ville-a.test`, { token: bob.accessToken, body: {} })).status, 200);
    const sent = await call(b, "PUT", `${C}/rooms/${enc(room)}/send/m.room.message/t1`, { token: bob.accessToken, body: { msgtype: "m.text", body: "Délibérations du conseil communautaire" } });
    const eventId = sent.body.event_id as string;
    const hit = await waitFor("the remote message in ville-a's index", async () => {
      const r = await call(a, "POST", `${C}/search`, { token: alice.accessToken, body: { search_categories: { room_events: { search_term: "communautaire", event_context: { before_limit: 1, after_limit: 0, include_profile: true } } } } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const results = r.body.search_categories.room_events.results as Hit[];
      return results.length > 0 ? results : undefined;
    });
    assert.deepEqual(hit.map((h) => [h.result.event_id, h.result.sender, h.result.room_id]), [[eventId, bob.userId, room]]);
    const profiles = hit[0]?.context?.["profile_info"] as Record<string, unknown>;
    assert.ok(bob.userId in profiles, "the remote sender's profile from the room state");
    // history from before agglo-b joined, fetched by backfill when bob paginates, is indexed there too
    await waitFor("backfill of the early message", async () => {
      const page = await call(b, "GET", `${C}/rooms/${enc(room)}/messages?dir=b&limit=50`, { token: bob.accessToken });
      return (page.body.chunk as { event_id: string }[]).some((e) => e.event_id === early) ? true : undefined;
    });
    const old = await call(b, "POST", `${C}/search`, { token: bob.accessToken, body: { search_categories: { room_events: { search_term: "préparatoire" } } } });
    assert.deepEqual((old.body.search_categories.room_events.results as Hit[]).map((h) => h.result.event_id), [early]);
    // a redaction from the other council takes it out of ville-a's results
    assert.equal((await call(b, "PUT", `${C}/rooms/${enc(room)}/redact/${enc(eventId)}/r1`, { token: bob.accessToken, body: {} })).status, 200);
    await waitFor("the remote redaction applied to ville-a's search", async () => {
      const r = await call(a, "POST", `${C}/search`, { token: alice.accessToken, body: { search_categories: { room_events: { search_term: "communautaire" } } } });
      return (r.body.search_categories.room_events.results as Hit[]).length === 0 ? true : undefined;
    });
  });
});
