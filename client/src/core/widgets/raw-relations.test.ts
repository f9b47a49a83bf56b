import assert from "node:assert/strict";
import { fetchRawRelations, RelationsHttpError, relationsUrl, summarisedPage, type RawRelationsQuery } from "./raw-relations.ts";

const Q: RawRelationsQuery = { roomId: "!r:ville-a.fr", eventId: "$a/b", relType: "m.reference", eventType: undefined, from: "t1", limit: 1000, dir: "f", recurse: true };

describe("client widgets: /relations read as the server's bytes", () => {
  it("builds the spec's URL with the parameter names the server knows", () => {
    assert.equal(relationsUrl("https://hs.example/", Q, { dir: "dir", recurse: "recurse" }),
      "https://hs.example/_matrix/client/v1/rooms/!r%3Aville-a.fr/relations/%24a%2Fb/m.reference?dir=f&from=t1&limit=1000&recurse=true");
    const u = new URL(relationsUrl("https://hs.example", { ...Q, relType: undefined, eventType: "x", from: undefined, recurse: false }, { dir: "org.matrix.msc3715.dir", recurse: "org.matrix.msc3981.recurse" }));
    assert.equal(u.pathname, "/_matrix/client/v1/rooms/!r%3Aville-a.fr/relations/%24a%2Fb", "no event type without a relation type");
    assert.deepEqual([...u.searchParams], [["org.matrix.msc3715.dir", "f"], ["limit", "1000"]]);
    assert.equal(new URL(relationsUrl("https://hs.example", { ...Q, lean: true }, { dir: "dir", recurse: "recurse" })).searchParams.get("fr.entente.lean"), "true", "our server's lean events");
  });

  it("returns the body's bytes and its parse, or nothing for a 4xx, a network failure or a body without chunk", async () => {
    const text = JSON.stringify({ chunk: [{ event_id: "$t", type: "fr.entente.task.update", title: "Tâche révisée ’" }], next_batch: "n2", recursion_depth: 3 });
    const seen: Array<[string, unknown]> = [];
    const ok = (async (url: string, init: { headers: Record<string, string> }) => {
      seen.push([url, init.headers["Authorization"]]);
      return new Response(text, { status: 200 });
    }) as unknown as typeof fetch;
    const page = await fetchRawRelations(ok, "https://hs.example/x", "tok");
    assert.deepEqual(seen, [["https://hs.example/x", "Bearer tok"]]);
    assert.equal(new TextDecoder().decode(page?.bytes), text);
    assert.equal(page?.body["next_batch"], "n2");
    for (const res of [new Response('{"errcode":"M_FORBIDDEN"}', { status: 403 }), new Response("{}", { status: 200 }), new Response("<html>", { status: 200 })]) {
      assert.equal(await fetchRawRelations((async () => res) as unknown as typeof fetch, "u", "t"), undefined);
    }
    assert.equal(await fetchRawRelations((async () => { throw new TypeError("Failed to fetch"); }) as unknown as typeof fetch, "u", "t"), undefined);
  });

  it("gives the next page's token as soon as the body's first bytes show it (next_batch first), the whole body after", async () => {
    const head = '{"next_batch":"t\\"42","chunk":[';
    const rest = `${JSON.stringify({ event_id: "$t", type: "fr.entente.task.update", content: { title: "é".repeat(200) } })}]}`;
    let more: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(head));
        // The rest of the body comes only once the token was handed over.
        more = () => { c.enqueue(new TextEncoder().encode(rest)); c.close(); };
      },
    });
    const tokens: string[] = [];
    const page = await fetchRawRelations((async () => new Response(body, { status: 200 })) as unknown as typeof fetch, "u", "t", (token) => {
      tokens.push(token);
      more?.();
    });
    assert.deepEqual(tokens, ['t"42']);
    assert.equal(new TextDecoder().decode(page?.bytes), head + rest);
    assert.equal(page?.body["next_batch"], 't"42');
    // next_batch elsewhere, or none: no early token (the caller reads it from the parsed body).
    for (const text of ['{"chunk":[],"next_batch":"n2"}', '{"chunk":[]}']) {
      const seen: string[] = [];
      await fetchRawRelations((async () => new Response(text, { status: 200 })) as unknown as typeof fetch, "u", "t", (t) => seen.push(t));
      assert.deepEqual(seen, []);
    }
  });

  it("surfaces a 429 or 5xx (with its body and Retry-After) instead of falling back to a second request at once", async () => {
    const limited = new Response('{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2000}', { status: 429, headers: { "Retry-After": "2" } });
    const err = await fetchRawRelations((async () => limited) as unknown as typeof fetch, "u", "t").then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RelationsHttpError, String(err));
    assert.deepEqual([err.status, err.body["errcode"], err.body["retry_after_ms"], err.headers.get("Retry-After")], [429, "M_LIMIT_EXCEEDED", 2000, "2"]);
    const bad = await fetchRawRelations((async () => new Response("<html>Bad gateway", { status: 502 })) as unknown as typeof fetch, "u", "t").then(() => undefined, (e: unknown) => e);
    assert.ok(bad instanceof RelationsHttpError);
    assert.deepEqual([bad.status, bad.body], [502, {}]);
  });

  it("reads a page with our server's summary (count and kinds before a last chunk) without parsing its events, and parses them if asked", async () => {
    const events = [{ event_id: "$t", type: "m.room.message", content: { msgtype: "fr.entente.task", body: "chunk\",\"chunk\":[" } }, { event_id: "$u", type: "fr.entente.task.update", content: {} }];
    const summary = { count: 2, kinds: [["m.room.message", null, "fr.entente.task"], ["fr.entente.task.update", null, null]] };
    const text = `{"next_batch":"n2","recursion_depth":3,"fr.entente.page":${JSON.stringify(summary)},"chunk":${JSON.stringify(events)}}`;
    const page = await fetchRawRelations((async () => new Response(text, { status: 200 })) as unknown as typeof fetch, "u", "t");
    assert.deepEqual(page?.summary, summary);
    assert.equal(page?.body["next_batch"], "n2");
    assert.equal(page?.body["recursion_depth"], 3);
    assert.deepEqual(page?.body.chunk, events, "parsed on first use");
    assert.equal(new TextDecoder().decode(page?.bytes), text);
    const bytes = (t: string): ArrayBuffer => new TextEncoder().encode(t).buffer;
    // Not summarised: another server's page, chunk not last, a bad summary, a cut body.
    for (const other of [
      JSON.stringify({ next_batch: "n2", chunk: events }),
      `{"fr.entente.page":${JSON.stringify(summary)},"chunk":${JSON.stringify(events)},"next_batch":"n2"}`,
      `{"fr.entente.page":{"count":"2","kinds":[]},"chunk":${JSON.stringify(events)}}`,
      `{"fr.entente.page":{"count":2,"kinds":[["m.room.message",1,null]]},"chunk":${JSON.stringify(events)}}`,
      `{"fr.entente.page":${JSON.stringify(summary)},"chunk":[`,
    ]) assert.equal(summarisedPage(bytes(other)), undefined, other.slice(0, 60));
  });
});
