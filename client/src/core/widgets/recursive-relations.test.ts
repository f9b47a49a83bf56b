import assert from "node:assert/strict";
import type { ClientWidgetApi, IRoomEvent, IWidgetApiRequest } from "matrix-widget-api";
import { approvalKey, MemoryApprovalStore } from "./capability-approvals.ts";
import { answerRecursiveRelations, dropSpeculation, receivable, SERVER_PAGE, speculate } from "./recursive-relations.ts";
import type { FirstReadHint, PageQuery } from "./first-read-hint.ts";
import { answerChunk } from "../../../../widgets/kit/src/chunk-json.ts";
import { EntenteWidgetDriver } from "./widget-driver.ts";
import type { WidgetClientPort } from "./widget-client-port.ts";
import type { EventKind } from "./raw-relations.ts";

const ROOM = "!r:ville-a.fr";
const ev = (id: string, type: string, content: Record<string, unknown>): IRoomEvent => ({ event_id: id, type, content, room_id: ROOM, sender: "@a:x", origin_server_ts: 1, unsigned: {} });

/**
 * `raw`: the client port hands over the server's bytes too; `onlyTasks`: every event is one the
 * widget may receive; `summary`: each page also carries our server's count and kinds, and its
 * `chunk` is a getter counting its uses (`parsed`).
 */
function setup(options: { raw?: boolean; onlyTasks?: boolean; summary?: boolean } = {}) {
  const asked: unknown[] = [];
  const withRaw = options.raw === true;
  const only = options.onlyTasks === true;
  const parsed = { count: 0 };
  const client: WidgetClientPort = {
    userId: "@anne:ville-a.fr",
    sendEvent: async () => "$x", sendStateEvent: async () => "$s", timeline: () => [], stateEvents: () => [],
    relations: async (roomId, eventId, relType, eventType, { onNextBatch: _early, ...opts }) => {
      asked.push([roomId, eventId, relType, eventType, opts]);
      const chunk = [ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), ev("$u", "fr.entente.task.update", {}), ...(only ? [] : [ev("$n", "m.room.message", { msgtype: "m.text" })])];
      const nextBatch = opts.from === undefined ? "n2" : opts.from === "n2" ? "n3" : undefined;
      const raw = withRaw ? new TextEncoder().encode(JSON.stringify({ chunk, next_batch: nextBatch, recursion_depth: 3 })).buffer : undefined;
      const page = { chunk, nextBatch, prevBatch: undefined, ...(opts.recurse === true ? { recursionDepth: 3 } : {}), ...(raw === undefined ? {} : { raw }) };
      if (options.summary !== true) return page;
      const kinds = [...new Map(chunk.map((e) => [`${e.type} ${String(e.content["msgtype"])}`, [e.type, null, (e.content["msgtype"] as string | undefined) ?? null] as EventKind])).values()];
      return { ...page, get chunk() { parsed.count++; return chunk; }, count: chunk.length, kinds };
    },
    openIdToken: async () => { throw new Error("no"); },
  };
  const driver = new EntenteWidgetDriver({
    client, roomId: ROOM, widgetName: "T", approvalKey: approvalKey(ROOM, "w", "https://w/"), approvals: new MemoryApprovalStore(),
    prompts: { askCapabilities: async (_n, r) => new Set(r), askOpenId: async () => false }, navigate: async () => undefined,
  });
  const replies: unknown[] = [];
  const api = {
    canUseRoomTimeline: () => false,
    canReceiveRoomEvent: (type: string, msgtype: string | null = null) => type === "fr.entente.task.update" || (type === "m.room.message" && msgtype === "fr.entente.task"),
    canReceiveStateEvent: () => false,
    transport: { reply: (_req: unknown, body: unknown) => replies.push(body) },
  } as unknown as ClientWidgetApi;
  const saved: PageQuery[] = [];
  const hint: FirstReadHint = { load: () => saved.at(-1), save: (q) => saved.push(q) };
  const request = (data: Record<string, unknown>) => {
    let prevented = false;
    const e = { detail: { action: "org.matrix.msc3869.read_relations", data } as unknown as IWidgetApiRequest, preventDefault: () => (prevented = true) } as unknown as CustomEvent<IWidgetApiRequest>;
    answerRecursiveRelations(api, driver, e, hint);
    return { prevented: () => prevented };
  };
  return { asked, replies, request, saved, api, driver, parsed };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("client widgets: what a widget may receive of a relations page", () => {
  const api = {
    canReceiveRoomEvent: (type: string, msgtype: string | null = null) => type === "fr.entente.task.update" || (type === "m.room.message" && msgtype === "fr.entente.task"),
    canReceiveStateEvent: () => false,
  } as unknown as ClientWidgetApi;

  it("takes out of a kept event the bundled events it may not receive (a thread's latest reply, an edit), and copies only then", () => {
    const reply = ev("$reply", "m.room.message", { msgtype: "m.text", body: "message privé du fil" });
    const taskEdit = ev("$edit", "m.room.message", { msgtype: "fr.entente.task", body: "tâche" });
    const withThread = { ...ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), unsigned: { age: 5, "m.relations": { "m.thread": { latest_event: reply, count: 2, current_user_participated: true }, "m.reference": { chunk: [{ event_id: "$u" }] } } } };
    const withEdit = { ...ev("$t2", "m.room.message", { msgtype: "fr.entente.task" }), unsigned: { "m.relations": { "m.replace": ev("$e", "m.room.message", { msgtype: "m.text", body: "modifié" }) } } };
    const plain = ev("$u", "fr.entente.task.update", {});
    const allowedBundle = { ...ev("$t3", "m.room.message", { msgtype: "fr.entente.task" }), unsigned: { "m.relations": { "m.replace": taskEdit } } };
    const out = receivable(api, [withThread, withEdit, plain, allowedBundle, reply]);
    assert.equal(out.length, 4, "the text message itself is not receivable");
    assert.deepEqual(out[0]?.unsigned, { age: 5, "m.relations": { "m.thread": { count: 2, current_user_participated: true }, "m.reference": { chunk: [{ event_id: "$u" }] } } });
    assert.deepEqual(out[1]?.unsigned, { "m.relations": {} });
    assert.equal(out[2], plain, "nothing bundled: the same object");
    assert.equal(out[3], allowedBundle, "a receivable bundle is kept as is");
    assert.ok(!JSON.stringify(out).includes("message privé du fil") && !JSON.stringify(out).includes("modifié"));
    assert.equal((withThread.unsigned["m.relations"]["m.thread"] as { latest_event?: unknown }).latest_event, reply, "the client's own event is untouched");
  });
});

describe("client widgets: read_relations with recurse", () => {
  it("passes recurse to the client, keeps only receivable events and says the tree was walked", async () => {
    const s = setup();
    const r = s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true });
    assert.equal(r.prevented(), true);
    await settle();
    assert.deepEqual(s.asked[0], [ROOM, "$anchor", "m.reference", undefined, { limit: 3, dir: "f", recurse: true }]);
    assert.deepEqual(s.replies, [{ chunk: [ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), ev("$u", "fr.entente.task.update", {})], next_batch: "n2", recursion_depth: 3 }]);
  });

  it("asks the client for lean events when the widget says it needs no more (fr.entente.lean), and reads ahead the same way", async () => {
    const s = setup();
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, "fr.entente.lean": true });
    await settle();
    assert.deepEqual(s.asked.slice(0, 2), [
      [ROOM, "$anchor", "m.reference", undefined, { limit: 3, dir: "f", recurse: true, lean: true }],
      [ROOM, "$anchor", "m.reference", undefined, { from: "n2", limit: 3, dir: "f", recurse: true, lean: true }],
    ]);
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, "fr.entente.lean": true, from: "n2" });
    await settle();
    assert.equal(s.asked.length, 3, "the page read ahead answered it (then the next one was read ahead)");
  });

  it("reads the next page ahead as soon as a page is answered, and answers the widget's next request with it", async () => {
    const s = setup();
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true });
    await settle();
    // Page 1 answered; page 2 already asked for, before the widget asks.
    assert.deepEqual(s.asked.map((a) => (a as [unknown, unknown, unknown, unknown, { from?: string }])[4].from), [undefined, "n2"]);
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, from: "n2" });
    await settle();
    // Page 2 came from the read-ahead (not asked again); page 3 is read ahead in turn, and it is the last.
    assert.deepEqual(s.asked.map((a) => (a as [unknown, unknown, unknown, unknown, { from?: string }])[4].from), [undefined, "n2", "n3"]);
    assert.deepEqual(s.replies.map((r) => (r as { next_batch?: string }).next_batch), ["n2", "n3"]);
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, from: "n3" });
    await settle();
    assert.equal(s.asked.length, 3, "the last page ends the read-ahead");
    assert.equal(s.replies.length, 3);
    // Another query (other limit) is not answered from a page read for a different one.
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 10, direction: "f", recurse: true, from: "n2" });
    await settle();
    assert.equal(s.asked.length, 5);
  });

  it("gathers up to the widget's limit from several server pages of at most SERVER_PAGE into one answer", async () => {
    const s = setup();
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 10_000, direction: "f", recurse: true });
    await settle();
    await settle();
    assert.deepEqual(s.asked.map((a) => (a as [unknown, unknown, unknown, unknown, { from?: string; limit?: number }])[4]).map((o) => [o.from, o.limit]), [[undefined, SERVER_PAGE], ["n2", SERVER_PAGE], ["n3", SERVER_PAGE]]);
    assert.equal(s.replies.length, 1);
    const reply = s.replies[0] as { chunk: IRoomEvent[]; next_batch?: string; recursion_depth?: number };
    assert.equal(reply.chunk.length, 6, "the receivable events of the three pages");
    assert.equal(reply.next_batch, undefined, "the tree was read to its end");
    assert.equal(reply.recursion_depth, 3);
  });

  /** A tree of `pages` full server pages (n1, n2…); each page is held (arriving) until released, its token shown first. */
  function gatedTree(pages: number): { asked: Array<string | undefined>; replies: Array<{ chunk: unknown[]; next_batch?: string }>; request: (limit: number, from?: string) => void; releaseAll: () => Promise<void> } {
    const asked: Array<string | undefined> = [];
    const gates: Array<() => void> = [];
    const client: WidgetClientPort = {
      userId: "@anne:ville-a.fr",
      sendEvent: async () => "$x", sendStateEvent: async () => "$s", timeline: () => [], stateEvents: () => [], openIdToken: async () => { throw new Error("no"); },
      relations: async (_r, _e, _t, _y, opts) => {
        asked.push(opts.from);
        const n = opts.from === undefined ? 1 : Number(opts.from.slice(1));
        const nextBatch = n < pages ? `n${n + 1}` : undefined;
        if (nextBatch !== undefined) opts.onNextBatch?.(nextBatch);
        await new Promise<void>((r) => gates.push(r));
        const chunk = Array.from({ length: opts.limit ?? 0 }, (_, i) => ev(`$${opts.from ?? "n1"}-${i}`, "fr.entente.task.update", {}));
        return { chunk, nextBatch, prevBatch: undefined, recursionDepth: 3 };
      },
    };
    const driver = new EntenteWidgetDriver({
      client, roomId: ROOM, widgetName: "T", approvalKey: approvalKey(ROOM, "w", "https://w/"), approvals: new MemoryApprovalStore(),
      prompts: { askCapabilities: async (_n, r) => new Set(r), askOpenId: async () => false }, navigate: async () => undefined,
    });
    const replies: Array<{ chunk: unknown[]; next_batch?: string }> = [];
    const api = {
      canUseRoomTimeline: () => false, canReceiveRoomEvent: () => true, canReceiveStateEvent: () => false,
      transport: { reply: (_req: unknown, body: { chunk: unknown[]; next_batch?: string }) => replies.push(body) },
    } as unknown as ClientWidgetApi;
    const request = (limit: number, from?: string): void => answerRecursiveRelations(api, driver, {
      detail: { action: "org.matrix.msc3869.read_relations", data: { event_id: "$anchor", rel_type: "m.reference", limit, direction: "f", recurse: true, ...(from === undefined ? {} : { from }) } } as unknown as IWidgetApiRequest,
      preventDefault: () => undefined,
    } as unknown as CustomEvent<IWidgetApiRequest>);
    const releaseAll = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        for (const open of gates.splice(0)) open();
        await settle();
      }
    };
    return { asked, replies, request, releaseAll };
  }

  it("asks the server's next page as soon as a page's body shows its token, and the widget's next read at an answer's last page", async () => {
    const { asked, replies, request, releaseAll } = gatedTree(3);
    request(2 * SERVER_PAGE);
    await settle();
    // Nothing has arrived yet: page 2 (same answer) and page 3 (the widget's next read) are asked already.
    assert.deepEqual(asked, [undefined, "n2", "n3"]);
    await releaseAll();
    assert.deepEqual(replies.map((r) => [r.chunk.length, r.next_batch]), [[2 * SERVER_PAGE, "n3"]]);
    request(2 * SERVER_PAGE, "n3");
    await releaseAll();
    assert.deepEqual(asked, [undefined, "n2", "n3"], "each page asked once");
    assert.deepEqual(replies.map((r) => [r.chunk.length, r.next_batch]), [[2 * SERVER_PAGE, "n3"], [SERVER_PAGE, undefined]]);
  });

  it("asks each server page once when one answer spans three of them, pages 2 and 3 asked ahead together", async () => {
    const { asked, replies, request, releaseAll } = gatedTree(4);
    request(3 * SERVER_PAGE);
    await releaseAll();
    assert.deepEqual(replies.map((r) => [r.chunk.length, r.next_batch]), [[3 * SERVER_PAGE, "n4"]]);
    assert.deepEqual(asked.filter((t) => t !== "n4"), [undefined, "n2", "n3"], "pages 1-3 asked once each");
  });

  it("answers with the events as one JSON string when the widget asks for it (fr.entente.chunk_json)", async () => {
    const s = setup();
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, "fr.entente.chunk_json": true });
    await settle();
    const reply = s.replies[0] as Record<string, unknown>;
    assert.deepEqual(reply["chunk"], []);
    assert.deepEqual(answerChunk(reply), [ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), ev("$u", "fr.entente.task.update", {})]);
    assert.equal(reply["recursion_depth"], 3);
    // Without the flag (any other widget): the events as an array, as the spec has them.
    assert.equal(answerChunk({ chunk: [1, 2] }).length, 2);
  });

  it("answers with the events as UTF-8 JSON in an ArrayBuffer when the widget asks for bytes", async () => {
    const s = setup();
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, "fr.entente.chunk_json": "utf-8" });
    await settle();
    const reply = s.replies[0] as Record<string, unknown>;
    assert.deepEqual(reply["chunk"], []);
    const bytes = reply["fr.entente.chunk_json"];
    assert.ok(bytes instanceof ArrayBuffer);
    assert.equal(bytes.byteLength, new TextEncoder().encode(JSON.stringify(answerChunk(reply))).byteLength, "the buffer holds the text's bytes only (it is transferred whole)");
    assert.deepEqual(answerChunk(reply), [ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), ev("$u", "fr.entente.task.update", {})]);
  });

  it("passes on the server's pages as they came when the widget asked for bytes and may receive every event in them", async () => {
    const s = setup({ raw: true, onlyTasks: true });
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 10_000, direction: "f", recurse: true, "fr.entente.chunk_json": "utf-8" });
    await settle();
    await settle();
    const reply = s.replies[0] as Record<string, unknown>;
    const pages = reply["fr.entente.chunk_pages"];
    assert.ok(Array.isArray(pages) && pages.length === 3 && pages.every((p) => p instanceof ArrayBuffer), "the three server pages");
    assert.equal(reply["fr.entente.chunk_json"], undefined);
    assert.deepEqual(reply["chunk"], []);
    assert.equal(answerChunk(reply).length, 6);
    // One event the widget may not receive: the filtered events, encoded again.
    const t = setup({ raw: true });
    t.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, "fr.entente.chunk_json": "utf-8" });
    await settle();
    const filtered = t.replies[0] as Record<string, unknown>;
    assert.equal(filtered["fr.entente.chunk_pages"], undefined);
    assert.deepEqual(answerChunk(filtered), [ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), ev("$u", "fr.entente.task.update", {})]);
    // A widget that asked for a string (or nothing) never gets the pages.
    const u = setup({ raw: true, onlyTasks: true });
    u.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, "fr.entente.chunk_json": true });
    u.request({ event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true, from: "n9" });
    await settle();
    const byKind = (u.replies as Array<Record<string, unknown>>).map((r) => (r["fr.entente.chunk_pages"] !== undefined ? "pages" : typeof r["fr.entente.chunk_json"] === "string" ? "string" : `${(r["chunk"] as unknown[]).length} events`));
    assert.deepEqual(byKind.sort(), ["2 events", "string"]);
  });

  it("passes on the pages without parsing them when our server's summary shows only kinds the widget may receive", async () => {
    const s = setup({ raw: true, onlyTasks: true, summary: true });
    s.request({ event_id: "$anchor", rel_type: "m.reference", limit: 10_000, direction: "f", recurse: true, "fr.entente.chunk_json": "utf-8" });
    await settle();
    await settle();
    const reply = s.replies[0] as Record<string, unknown>;
    const pages = reply["fr.entente.chunk_pages"];
    assert.ok(Array.isArray(pages) && pages.length === 3, "the three server pages, as they came");
    assert.equal(answerChunk(reply).length, 6);
    assert.equal(s.parsed.count, 0, "no page's events were parsed in the client");
    // A kind the widget may not receive (m.text): the events are parsed and filtered, as without a summary.
    const t = setup({ raw: true, summary: true });
    t.request({ event_id: "$anchor", rel_type: "m.reference", limit: 10_000, direction: "f", recurse: true, "fr.entente.chunk_json": "utf-8" });
    await settle();
    await settle();
    const filtered = t.replies[0] as Record<string, unknown>;
    assert.equal(filtered["fr.entente.chunk_pages"], undefined);
    assert.ok(t.parsed.count > 0);
    assert.deepEqual(answerChunk(filtered).map((e) => (e as IRoomEvent).event_id), ["$t", "$u", "$t", "$u", "$t", "$u"]);
  });

  it("leaves requests without recurse to ClientWidgetApi and refuses another room or a missing id", async () => {
    const s = setup();
    assert.equal(s.request({ event_id: "$anchor" }).prevented(), false);
    s.request({ event_id: "$anchor", recurse: true, room_id: "!other:x" });
    s.request({ recurse: true });
    await settle();
    assert.deepEqual(s.asked, []);
    assert.deepEqual(s.replies, [{ error: { message: "Unable to access room timeline: !other:x" } }, { error: { message: "Invalid request - missing event ID" } }]);
  });

  describe("the first read started at open (speculation)", () => {
    const FIRST = { event_id: "$anchor", rel_type: "m.reference", limit: 3, direction: "f", recurse: true };
    const query: PageQuery = { eventId: "$anchor", roomId: undefined, relType: "m.reference", eventType: undefined, from: undefined, to: undefined, limit: 3, direction: "f" };

    it("remembers the widget's first recursive read only (not its next pages, not later reads)", async () => {
      const s = setup();
      s.request({ ...FIRST, from: "n2" });
      s.request(FIRST);
      s.request({ ...FIRST, limit: 5 });
      await settle();
      assert.deepEqual(s.saved, [query]);
    });

    const froms = (asked: unknown[]): Array<string | undefined> => asked.map((a) => (a as [unknown, unknown, unknown, unknown, { from?: string }])[4].from);

    it("answers the identical requests from the reads started at open (the first, then the next ones while the widget is not there), filtered like any answer", async () => {
      const s = setup();
      speculate(s.api, s.driver, query);
      for (let i = 0; i < 4; i++) await settle();
      assert.deepEqual(froms(s.asked), [undefined, "n2", "n3"], "the whole tree read while the frame loads");
      s.request(FIRST);
      await settle();
      s.request({ ...FIRST, from: "n2" });
      await settle();
      s.request({ ...FIRST, from: "n3" });
      await settle();
      assert.equal(s.asked.length, 3, "nothing read again");
      assert.deepEqual(s.replies.map((r) => (r as { next_batch?: string }).next_batch), ["n2", "n3", undefined]);
      assert.deepEqual(s.replies[0], { chunk: [ev("$t", "m.room.message", { msgtype: "fr.entente.task" }), ev("$u", "fr.entente.task.update", {})], next_batch: "n2", recursion_depth: 3 });
    });

    it("stops reading on at open once the widget has caught up (its answers read ahead as usual, each page once)", async () => {
      const s = setup();
      speculate(s.api, s.driver, query);
      s.request(FIRST); // asked before the read started at open is done
      for (let i = 0; i < 4; i++) await settle();
      assert.deepEqual(froms(s.asked), [undefined, "n2"], "the next page once, by the answer's read-ahead");
    });

    it("reads again when the speculation was dropped (an event came before the widget was ready) or the widget asks something else", async () => {
      const s = setup();
      speculate(s.api, s.driver, query);
      dropSpeculation(s.api);
      s.request(FIRST);
      await settle();
      assert.equal(s.asked.filter((a) => (a as [unknown, unknown, unknown, unknown, { from?: string }])[4].from === undefined).length, 2);
      const t = setup();
      speculate(t.api, t.driver, { ...query, limit: 10 });
      t.request(FIRST);
      await settle();
      assert.equal(t.asked.filter((a) => (a as [unknown, unknown, unknown, unknown, { from?: string }])[4].from === undefined).length, 2);
    });
  });
});
