// read_relations with the spec's `recurse` (MSC3981, /relations `recurse=true`): matrix-widget-api's
// ClientWidgetApi passes no such parameter to the driver, so a request that asks for it is
// answered here, with the same checks ClientWidgetApi makes (event id, limit, room, and only the
// events the widget may receive), plus `recursion_depth` so the widget knows the tree was walked.
// A request without `recurse` is left to ClientWidgetApi. Element knows no `recurse`: it answers
// with direct relations and no `recursion_depth`, and the task board falls back to one request
// per task there.
import { WidgetApiFromWidgetAction, type ClientWidgetApi, type IRoomEvent, type IWidgetApiRequest } from "matrix-widget-api";
import type { EntenteWidgetDriver } from "./widget-driver.ts";
import { CHUNK_JSON, encodeChunk } from "../../../../widgets/kit/src/chunk-json.ts";

export const READ_RELATIONS_ACTION = `action:${WidgetApiFromWidgetAction.MSC3869ReadRelations}`;

interface RecursiveRequest {
  [CHUNK_JSON]?: unknown;
  event_id?: unknown; rel_type?: unknown; event_type?: unknown; room_id?: unknown; from?: unknown; to?: unknown; limit?: unknown; direction?: unknown; recurse?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * The events of `chunk` the widget holds a receive capability for (ClientWidgetApi's own rule),
 * asked once per distinct (type, msgtype or state key): a list is thousands of events of a few kinds.
 */
export function receivable(api: Pick<ClientWidgetApi, "canReceiveRoomEvent" | "canReceiveStateEvent">, chunk: readonly IRoomEvent[]): IRoomEvent[] {
  const known = new Map<string, boolean>();
  return chunk.filter((e) => {
    const state = e.state_key !== undefined && e.state_key !== null;
    const msgtype = state ? undefined : (e.content as { msgtype?: unknown } | undefined)?.msgtype;
    const key = JSON.stringify([e.type, state ? e.state_key : null, typeof msgtype === "string" ? msgtype : null, msgtype === undefined]);
    let ok = known.get(key);
    if (ok === undefined) {
      ok = state ? api.canReceiveStateEvent(e.type, e.state_key as string) : api.canReceiveRoomEvent(e.type, msgtype as string | undefined);
      known.set(key, ok);
    }
    return ok;
  });
}

type Page = Awaited<ReturnType<EntenteWidgetDriver["readEventRelations"]>>;
interface PageQuery { eventId: string; roomId: string | undefined; relType: string | undefined; eventType: string | undefined; from: string | undefined; to: string | undefined; limit: number | undefined; direction: "f" | "b" | undefined }

/**
 * The next page of a recursive read, asked for as soon as a page is answered: a widget reading a
 * whole tree (the task board: 22 pages for 2,000 tasks and 20,000 updates) asks for it right after,
 * so the server's work for page n+1 overlaps page n's postMessage transfer and the widget's own
 * work. One page ahead per widget, used once; a widget that stops reading just leaves it unused.
 */
export class ReadAhead {
  readonly #pending = new Map<string, Promise<Page>>();

  static key(q: PageQuery): string {
    return JSON.stringify([q.eventId, q.roomId, q.relType, q.eventType, q.from, q.to, q.limit, q.direction]);
  }

  /** The page read ahead for `q`, if any (taken: a second identical request reads again). */
  take(q: PageQuery): Promise<Page> | undefined {
    const k = ReadAhead.key(q);
    const p = this.#pending.get(k);
    this.#pending.delete(k);
    return p;
  }

  put(q: PageQuery, page: Promise<Page>): void {
    page.catch(() => undefined); // read ahead on speculation: its failure is reported only if asked for
    this.#pending.clear();
    this.#pending.set(ReadAhead.key(q), page);
  }
}

const readAheads = new WeakMap<ClientWidgetApi, ReadAhead>();
/** The largest page our homeserver serves (MAX_RELATIONS_PAGE); other servers may cap lower. */
export const SERVER_PAGE = 1000;

/**
 * Up to `q.limit` events of the tree in one answer, read from the server page by page: a widget
 * asking for 10,000 gets them in one postMessage instead of ten round trips (each a wait for two
 * busy main threads). The widget API's 10 s timeout per request bounds how much one answer may
 * gather; a server that does not recurse gets one page (the widget then reads another way).
 */
async function read(driver: EntenteWidgetDriver, q: PageQuery): Promise<Page> {
  const want = q.limit ?? 0;
  const page = (from: string | undefined, limit: number | undefined): Promise<Page> =>
    driver.readEventRelations(q.eventId, q.roomId, q.relType, q.eventType, from, q.to, limit, q.direction, true);
  const first = await page(q.from, q.limit === undefined ? undefined : Math.min(want, SERVER_PAGE));
  if (first.recursionDepth === undefined) return first;
  const chunk = [...first.chunk];
  let last = first;
  while (last.nextBatch !== undefined && last.chunk.length > 0 && chunk.length < want) {
    last = await page(last.nextBatch, Math.min(want - chunk.length, SERVER_PAGE));
    chunk.push(...last.chunk);
  }
  return {
    chunk, recursionDepth: Math.max(first.recursionDepth, last.recursionDepth ?? 0),
    ...(last.nextBatch === undefined ? {} : { nextBatch: last.nextBatch }), ...(first.prevBatch === undefined ? {} : { prevBatch: first.prevBatch }),
  };
}

/** Answers `ev` when it asks to recurse (and prevents ClientWidgetApi's own answer); else leaves it. */
export function answerRecursiveRelations(api: ClientWidgetApi, driver: EntenteWidgetDriver, ev: CustomEvent<IWidgetApiRequest>): void {
  const data = ev.detail.data as RecursiveRequest;
  if (data.recurse !== true) return;
  ev.preventDefault();
  const reply = (body: Record<string, unknown>): void => void api.transport.reply(ev.detail, body);
  const eventId = str(data.event_id);
  const limit = typeof data.limit === "number" ? data.limit : undefined;
  const roomId = str(data.room_id);
  if (eventId === undefined || eventId === "") return reply({ error: { message: "Invalid request - missing event ID" } });
  if (limit !== undefined && limit < 0) return reply({ error: { message: "Invalid request - limit out of range" } });
  if (roomId !== undefined && !api.canUseRoomTimeline(roomId)) return reply({ error: { message: `Unable to access room timeline: ${roomId}` } });
  const direction = data.direction === "f" || data.direction === "b" ? data.direction : undefined;
  const q: PageQuery = { eventId, roomId, relType: str(data.rel_type), eventType: str(data.event_type), from: str(data.from), to: str(data.to), limit, direction };
  let ahead = readAheads.get(api);
  if (ahead === undefined) readAheads.set(api, (ahead = new ReadAhead()));
  const start = performance.now();
  const page = ahead.take(q)?.catch(() => read(driver, q)) ?? read(driver, q);
  void page.then(
    (r) => {
      // The server walked the tree and there is more: read the next page now.
      if (r.nextBatch !== undefined && r.recursionDepth !== undefined && r.chunk.length > 0) {
        const next = { ...q, from: r.nextBatch };
        ahead.put(next, read(driver, next));
      }
      // Read by tests/bench/board-e2e.ts: the client's share of a widget's list read (fetch + decrypt).
      performance.measure("entente:widget-relations", { start, end: performance.now() });
      const chunk = receivable(api, r.chunk);
      // As JSON text or UTF-8 bytes when the widget asks (widgets/kit/src/chunk-json.ts says why).
      const encoded = encodeChunk(chunk, data[CHUNK_JSON]);
      reply({
        chunk: encoded === undefined ? chunk : [],
        ...(encoded === undefined ? {} : { [CHUNK_JSON]: encoded }),
        ...(r.nextBatch === undefined ? {} : { next_batch: r.nextBatch }),
        ...(r.prevBatch === undefined ? {} : { prev_batch: r.prevBatch }),
        ...(r.recursionDepth === undefined ? {} : { recursion_depth: r.recursionDepth }),
      });
    },
    (e: unknown) => reply({ error: { message: e instanceof Error ? e.message : "Unexpected error while reading relations" } }),
  );
}
