// ListReader's choice of read: a list whose roots fit in one page of relations through the anchor's
// recursive relations; a larger one from the room's history back to the anchor (faster on our
// homeserver, tests/bench/tasks-list-fetch.ts); a small one root by root only when the server
// ignores `recurse` (no recursion_depth in its answer). The client is a stand-in answering the
// two requests the reader makes.
import assert from "node:assert/strict";
import type { IEvent, MatrixClient } from "matrix-js-sdk";
import { ListReader } from "./list-reader.ts";
import { TASK_MSGTYPE, TASK_UPDATE } from "./protocol.ts";

const ANCHOR = "$anchor";

/** A list of `n` roots with one update each, newest first as the server sends them with dir=b. */
function listEvents(n: number): IEvent[] {
  const out: IEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ event_id: `$root${i}`, type: "m.room.message", sender: "@a:x", origin_server_ts: 2 * i, room_id: "!r", content: { msgtype: TASK_MSGTYPE, body: `t${i}` } } as unknown as IEvent);
    out.push({ event_id: `$upd${i}`, type: TASK_UPDATE, sender: "@a:x", origin_server_ts: 2 * i + 1, room_id: "!r", content: { "m.relates_to": { rel_type: "m.reference", event_id: `$root${i}` } } } as unknown as IEvent);
  }
  return out.reverse();
}

function fakeClient(events: IEvent[], opts: { recurse: boolean; page: number }) {
  const relations: { recurse: boolean; from: string | undefined }[] = [];
  const history: string[] = [];
  const client = {
    on: () => client,
    getEventMapper: () => () => { throw new Error("no encrypted event here"); },
    decryptEventIfNeeded: async () => undefined,
    fetchRelations: async (_room: string, eventId: string, _rel: string, _type: unknown, o: { from?: string; recurse?: boolean }) => {
      relations.push({ recurse: o.recurse === true, from: o.from });
      // A server that ignores recurse lists only what references the event directly.
      const all = opts.recurse && o.recurse === true ? events : events.filter((e) => (e.content["m.relates_to"] as { event_id?: string } | undefined)?.event_id === eventId || (eventId === ANCHOR && e.content["msgtype"] === TASK_MSGTYPE));
      const start = Number(o.from ?? 0);
      const chunk = all.slice(start, start + opts.page);
      return { chunk, ...(start + opts.page < all.length ? { next_batch: String(start + opts.page) } : {}), ...(opts.recurse && o.recurse !== undefined ? { recursion_depth: 3 } : {}) };
    },
    http: {
      authedRequest: async (_m: string, path: string, q: { from?: string }) => {
        history.push(path);
        const withAnchor = [...events, { event_id: ANCHOR, type: "fr.entente.tasklist", sender: "@a:x", origin_server_ts: 0, content: {} } as unknown as IEvent];
        const start = Number(q.from ?? 0);
        return { chunk: withAnchor.slice(start, start + opts.page), end: String(start + opts.page) };
      },
    },
  };
  return { client: client as unknown as MatrixClient, relations, history };
}

describe("client core: reading a task list (ListReader)", () => {
  it("reads a list whose roots fit in a page through the anchor's recursive relations, never from history", async () => {
    const events = listEvents(10); // 10 roots fit a page of 15; 20 events, 2 recursive pages
    const { client, relations, history } = fakeClient(events, { recurse: true, page: 15 });
    const got = await new ListReader(client).listEvents("!r", ANCHOR, TASK_MSGTYPE);
    assert.deepEqual(got.map((e) => e["event_id"]).sort(), events.map((e) => e.event_id).sort());
    assert.deepEqual(relations.map((r) => r.recurse), [false, true, true], "one page to count the roots, then the recursive pages");
    assert.deepEqual(history, []);
  });

  it("reads a list whose roots outgrow a page from the room's history back to the anchor", async () => {
    const events = listEvents(25); // 25 roots: more than a page of 15
    const { client, relations, history } = fakeClient(events, { recurse: true, page: 15 });
    const got = await new ListReader(client).listEvents("!r", ANCHOR, TASK_MSGTYPE);
    const ids = new Set(got.map((e) => e["event_id"]));
    for (const e of events) assert.ok(ids.has(e.event_id), `${e.event_id} read`);
    assert.equal(relations.length, 1, "one page of relations, then the history, not one request per task");
    assert.ok(history.length >= 2 && history.every((p) => p.endsWith("/messages")));
  });

  it("asks root by root when the server ignores recurse on a small list", async () => {
    const events = listEvents(5);
    const { client, relations, history } = fakeClient(events, { recurse: false, page: 15 });
    const got = await new ListReader(client).listEvents("!r", ANCHOR, TASK_MSGTYPE);
    assert.deepEqual(got.map((e) => e["event_id"]).sort(), events.map((e) => e.event_id).sort());
    assert.equal(relations.length, 2 + 5, "anchor twice, then each root");
    assert.deepEqual(history, []);
  });
});
