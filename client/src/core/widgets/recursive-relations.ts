// read_relations with the spec's `recurse` (MSC3981, /relations `recurse=true`): matrix-widget-api's
// ClientWidgetApi passes no such parameter to the driver, so a request that asks for it is
// answered here, with the same checks ClientWidgetApi makes (event id, limit, room, and only the
// events the widget may receive), plus `recursion_depth` so the widget knows the tree was walked.
// A request without `recurse` is left to ClientWidgetApi. Element knows no `recurse`: it answers
// with direct relations and no `recursion_depth`, and the task board falls back to one request
// per task there.
import { WidgetApiFromWidgetAction, type ClientWidgetApi, type IRoomEvent, type IWidgetApiRequest } from "matrix-widget-api";
import type { EntenteWidgetDriver } from "./widget-driver.ts";
import { CHUNK_BYTES, CHUNK_JSON, CHUNK_PAGES, encodeChunk, LEAN_EVENTS } from "../../../../widgets/kit/src/chunk-json.ts";
import type { FirstReadHint, PageQuery } from "./first-read-hint.ts";
import type { EventKind } from "./raw-relations.ts";

export const READ_RELATIONS_ACTION = `action:${WidgetApiFromWidgetAction.MSC3869ReadRelations}`;

interface RecursiveRequest {
  [CHUNK_JSON]?: unknown;
  [LEAN_EVENTS]?: unknown;
  event_id?: unknown; rel_type?: unknown; event_type?: unknown; room_id?: unknown; from?: unknown; to?: unknown; limit?: unknown; direction?: unknown; recurse?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

type ReceiveApi = Pick<ClientWidgetApi, "canReceiveRoomEvent" | "canReceiveStateEvent">;

/**
 * The events of `chunk` the widget holds a receive capability for (ClientWidgetApi's own rule),
 * asked once per distinct (type, msgtype or state key): a list is thousands of events of a few kinds.
 * Events bundled in a kept event (`unsigned["m.relations"]`: a thread's latest reply, an edit) are
 * judged too: one the widget may not receive is taken out of the bundle (the event is a copy then),
 * so a task's thread never shows the widget a message type it was not granted.
 */
export function receivable(api: ReceiveApi, chunk: readonly IRoomEvent[]): IRoomEvent[] {
  const known = new Map<string, boolean>();
  const may = (e: { type?: unknown; state_key?: unknown; content?: unknown }): boolean => {
    if (typeof e.type !== "string") return false;
    const state = e.state_key !== undefined && e.state_key !== null;
    const msgtype = state ? undefined : (e.content as { msgtype?: unknown } | undefined)?.msgtype;
    const key = JSON.stringify([e.type, state ? e.state_key : null, typeof msgtype === "string" ? msgtype : null, msgtype === undefined]);
    let ok = known.get(key);
    if (ok === undefined) {
      ok = state ? typeof e.state_key === "string" && api.canReceiveStateEvent(e.type, e.state_key) : api.canReceiveRoomEvent(e.type, msgtype as string | undefined);
      known.set(key, ok);
    }
    return ok;
  };
  const out: IRoomEvent[] = [];
  for (const e of chunk) if (may(e)) out.push(withoutForeignBundles(e, may));
  return out;
}

type Judge = (e: { type?: unknown; state_key?: unknown; content?: unknown }) => boolean;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `e` itself when every event bundled in it may be received, else a copy without the others. */
function withoutForeignBundles(e: IRoomEvent, may: Judge): IRoomEvent {
  const unsigned = (e as { unsigned?: unknown }).unsigned;
  const relations = isRecord(unsigned) ? unsigned["m.relations"] : undefined;
  if (!isRecord(relations)) return e;
  let kept: Record<string, unknown> | undefined;
  for (const [relType, bundle] of Object.entries(relations)) {
    if (!isRecord(bundle)) continue;
    // m.thread: { latest_event, count, current_user_participated }; m.replace: the edit event itself
    const inner = relType === "m.thread" ? bundle["latest_event"] : typeof bundle["type"] === "string" ? bundle : undefined;
    if (!isRecord(inner) || may(inner)) continue;
    kept ??= { ...relations };
    if (relType === "m.thread") {
      const { latest_event: _dropped, ...rest } = bundle;
      kept[relType] = rest;
    } else delete kept[relType];
  }
  return kept === undefined ? e : ({ ...e, unsigned: { ...(unsigned as Record<string, unknown>), "m.relations": kept } } as IRoomEvent);
}

/**
 * Whether the widget may receive every event of these kinds (our server's page summary,
 * raw-relations.ts): then the pages go to it as they came, their events never parsed here.
 */
export function kindsReceivable(api: ReceiveApi, kinds: readonly EventKind[]): boolean {
  return kinds.every(([type, stateKey, msgtype]) => (stateKey !== null ? api.canReceiveStateEvent(type, stateKey) : api.canReceiveRoomEvent(type, msgtype ?? undefined)));
}

/**
 * `raws`: the server's bodies of every page read, when the client has them all (raw-relations.ts).
 * `count` and `kinds`: the events' number and kinds when every page had our server's summary;
 * `chunk` is then a getter, parsing the pages only if used.
 */
type Page = Omit<Awaited<ReturnType<EntenteWidgetDriver["readEventRelations"]>>, "raw"> & { raws?: ArrayBuffer[] };
type ServerPage = Awaited<ReturnType<EntenteWidgetDriver["readEventRelations"]>>;

/** A page's number of events, without parsing a summarised one. */
const sizeOf = (p: { chunk: readonly unknown[]; count?: number }): number => p.count ?? p.chunk.length;

/** The answer made of the server's `pages` (read in order): their events, tokens and bytes. */
function gathered(pages: readonly ServerPage[], withDepth: boolean): Page {
  const first = pages[0] as ServerPage;
  const last = pages.at(-1) as ServerPage;
  let chunk: IRoomEvent[] | undefined;
  const raws = pages.every((p) => p.raw !== undefined) ? pages.map((p) => p.raw as ArrayBuffer) : undefined;
  const summarised = pages.every((p) => p.count !== undefined && p.kinds !== undefined);
  const kinds = new Map<string, EventKind>();
  if (summarised) for (const p of pages) for (const k of p.kinds ?? []) kinds.set(JSON.stringify(k), k);
  return {
    get chunk() { return (chunk ??= pages.length === 1 ? first.chunk : pages.flatMap((p) => p.chunk)); },
    ...(summarised ? { count: pages.reduce((n, p) => n + sizeOf(p), 0), kinds: [...kinds.values()] } : {}),
    ...(withDepth ? { recursionDepth: Math.max(...pages.map((p) => p.recursionDepth ?? 0)) } : {}),
    ...(last.nextBatch === undefined ? {} : { nextBatch: last.nextBatch }), ...(first.prevBatch === undefined ? {} : { prevBatch: first.prevBatch }),
    ...(raws === undefined ? {} : { raws }),
  };
}

/**
 * The next page of a recursive read, asked for as soon as a page is answered: a widget reading a
 * whole tree (the task board: 22 pages for 2,000 tasks and 20,000 updates) asks for it right after,
 * so the server's work for page n+1 overlaps page n's postMessage transfer and the widget's own
 * work. One page ahead per widget, used once; a widget that stops reading just leaves it unused.
 * It also holds the reads started at open (speculate below): the first, and the next ones while
 * the widget has not caught up.
 */
export class ReadAhead {
  readonly #pending = new Map<string, Promise<Page>>();

  static key(q: PageQuery): string {
    return JSON.stringify([q.eventId, q.roomId, q.relType, q.eventType, q.from, q.to, q.limit, q.direction, q.lean === true]);
  }

  /** The page read ahead for `q`, if any (taken: a second identical request reads again). */
  take(q: PageQuery): Promise<Page> | undefined {
    const k = ReadAhead.key(q);
    const p = this.#pending.get(k);
    this.#pending.delete(k);
    return p;
  }

  has(q: PageQuery): boolean {
    return this.#pending.has(ReadAhead.key(q));
  }

  clear(): void {
    this.#pending.clear();
  }

  holdsAny(): boolean {
    return this.#pending.size > 0;
  }

  /** `q`'s page, replacing whatever was held; `also`: kept beside it (the next page of a read started at open). */
  put(q: PageQuery, page: Promise<Page>, also = false): void {
    page.catch(() => undefined); // read ahead on speculation: its failure is reported only if asked for
    if (!also) this.#pending.clear();
    this.#pending.set(ReadAhead.key(q), page);
  }
}

const readAheads = new WeakMap<ClientWidgetApi, ReadAhead>();
function readAheadOf(api: ClientWidgetApi): ReadAhead {
  let ahead = readAheads.get(api);
  if (ahead === undefined) readAheads.set(api, (ahead = new ReadAhead()));
  return ahead;
}
/** Widgets whose first recursive read of this hosting was remembered already. */
const hinted = new WeakSet<ClientWidgetApi>();
/**
 * The largest page our homeserver serves (MAX_RELATIONS_PAGE, 5,000 since docs/perf/listfetch.md:
 * 5 requests instead of 23 for the board's 22,000 events); other servers may cap lower (the read
 * then simply takes more pages).
 */
export const SERVER_PAGE = 5000;

/**
 * Up to `q.limit` events of the tree in one answer, read from the server page by page: a widget
 * asking for 10,000 gets them in one postMessage instead of ten round trips (each a wait for two
 * busy main threads). The widget API's 10 s timeout per request bounds how much one answer may
 * gather; a server that does not recurse gets one page (the widget then reads another way).
 */
async function read(driver: EntenteWidgetDriver, q: PageQuery, beyond?: (token: string) => void): Promise<Page> {
  const want = q.limit ?? 0;
  // The server pages after the one being received, each asked as soon as its token shows at the
  // start of the previous body (raw-relations.ts): the server works on it while that one is
  // received and parsed. Several may be in flight when an answer spans three pages or more.
  const early = new Map<string, Promise<ServerPage>>();
  const page = (from: string | undefined, limit: number | undefined, got: number): Promise<ServerPage> =>
    driver.readEventRelations(q.eventId, q.roomId, q.relType, q.eventType, from, q.to, limit, q.direction, true, q.lean === true, (token) => {
      // The server has more, so this page is full (or nearly: a page of invisible rows is shorter,
      // and the read then takes one page more); the answer needs more than it, or it ends here.
      const after = got + (limit ?? 0);
      if (limit === undefined || after >= want) return beyond?.(token);
      const p = page(token, Math.min(want - after, SERVER_PAGE), after);
      p.catch(() => undefined); // asked ahead: its failure counts only if it is used
      early.set(token, p);
    });
  const first = await page(q.from, q.limit === undefined ? undefined : Math.min(want, SERVER_PAGE), 0);
  if (first.recursionDepth === undefined) return gathered([first], false);
  const pages = [first];
  let got = sizeOf(first);
  let last = first;
  while (last.nextBatch !== undefined && sizeOf(last) > 0 && got < want) {
    const ahead = early.get(last.nextBatch);
    early.delete(last.nextBatch);
    last = await (ahead ?? page(last.nextBatch, Math.min(want - got, SERVER_PAGE), got));
    pages.push(last);
    got += sizeOf(last);
  }
  return gathered(pages, true);
}

/**
 * Starts `q` (the widget's first read the last time it was opened: first-read-hint.ts) now, while
 * the frame loads, into the widget's read-ahead: answered from it if the widget asks exactly that,
 * through the same checks and filter as any answer (receivable() at reply time, once the
 * capabilities are known), else dropped. The read misses events that come after it started; the
 * widget receives those live once it is ready, and the host drops the speculation when one comes
 * before (dropSpeculation), so the widget then reads for itself.
 */
export function speculate(api: ClientWidgetApi, driver: EntenteWidgetDriver, q: PageQuery): void {
  const start = performance.now();
  const page = read(driver, q);
  // Read by tests/bench/board-e2e.ts: when the read started at open ran.
  void page.then(() => performance.measure("entente:widget-first-read", { start, end: performance.now() }), () => undefined);
  const ahead = readAheadOf(api);
  ahead.put(q, page);
  readOnWhileAhead(ahead, driver, q, page);
}

const hasMore = (r: Page): r is Page & { nextBatch: string } => r.nextBatch !== undefined && r.recursionDepth !== undefined && sizeOf(r) > 0;

/**
 * Once `page` is read and still not asked for (the frame is still loading), reads the next one
 * beside it, and so on: the widget then finds each of its reads done. Stops as soon as the widget
 * has caught up (it took the page: its answer reads the next, see answerRecursiveRelations) or
 * the pages were dropped.
 */
function readOnWhileAhead(ahead: ReadAhead, driver: EntenteWidgetDriver, q: PageQuery, page: Promise<Page>): void {
  void page.then((r) => {
    if (!ahead.has(q) || !hasMore(r)) return;
    const next = { ...q, from: r.nextBatch };
    const p = read(driver, next);
    ahead.put(next, p, true);
    readOnWhileAhead(ahead, driver, next, p);
  }, () => undefined);
}

/** Forgets whatever was read ahead for the widget (a speculation outdated by a new event, a stopped widget). */
export function dropSpeculation(api: ClientWidgetApi): void {
  const ahead = readAheads.get(api);
  if (ahead?.holdsAny() === true) performance.mark("entente:widget-read-ahead-dropped");
  ahead?.clear();
}

/**
 * Answers `ev` when it asks to recurse (and prevents ClientWidgetApi's own answer); else leaves it.
 * `hint` remembers the widget's first such read for the next opening.
 */
export function answerRecursiveRelations(api: ClientWidgetApi, driver: EntenteWidgetDriver, ev: CustomEvent<IWidgetApiRequest>, hint?: FirstReadHint): void {
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
  const q: PageQuery = {
    eventId, roomId, relType: str(data.rel_type), eventType: str(data.event_type), from: str(data.from), to: str(data.to), limit, direction,
    ...(data[LEAN_EVENTS] === true ? { lean: true } : {}),
  };
  if (hint !== undefined && !hinted.has(api) && q.from === undefined) {
    hinted.add(api);
    hint.save(q);
  }
  const ahead = readAheadOf(api);
  const start = performance.now();
  // The widget's next read, started as soon as the server's last page for this one shows its
  // token (unless a read started at open holds it already); else once this answer is read (below).
  const readNext = (token: string): void => {
    const next = { ...q, from: token };
    if (!ahead.has(next)) ahead.put(next, read(driver, next));
  };
  const page = ahead.take(q)?.catch(() => read(driver, q, readNext)) ?? read(driver, q, readNext);
  void page.then(
    (r) => {
      // The server walked the tree and there is more: read the next page now (unless a read
      // started at open already did).
      if (hasMore(r)) {
        const next = { ...q, from: r.nextBatch };
        if (!ahead.has(next)) ahead.put(next, read(driver, next));
      }
      // Read by tests/bench/board-e2e.ts: the client's share of a widget's list read (fetch + decrypt).
      performance.measure("entente:widget-relations", { start, end: performance.now() });
      // The server's pages as they came when the widget asked for bytes and may receive every event
      // in them (told by our server's summary of their kinds, without parsing them, or else by
      // the events); else JSON text or UTF-8 bytes when it asks (widgets/kit/src/chunk-json.ts says why).
      const bytes = data[CHUNK_JSON] === CHUNK_BYTES && r.raws !== undefined;
      const pagesAsIs = bytes && r.kinds !== undefined && kindsReceivable(api, r.kinds);
      const chunk = pagesAsIs ? [] : receivable(api, r.chunk);
      const pages = pagesAsIs || (bytes && chunk.length === r.chunk.length && chunk.every((e, i) => e === r.chunk[i])) ? r.raws : undefined;
      const encoded = pages === undefined ? encodeChunk(chunk, data[CHUNK_JSON]) : undefined;
      reply({
        chunk: encoded === undefined && pages === undefined ? chunk : [],
        ...(pages === undefined ? {} : { [CHUNK_PAGES]: pages }),
        ...(encoded === undefined ? {} : { [CHUNK_JSON]: encoded }),
        ...(r.nextBatch === undefined ? {} : { next_batch: r.nextBatch }),
        ...(r.prevBatch === undefined ? {} : { prev_batch: r.prevBatch }),
        ...(r.recursionDepth === undefined ? {} : { recursion_depth: r.recursionDepth }),
      });
    },
    (e: unknown) => reply({ error: { message: e instanceof Error ? e.message : "Unexpected error while reading relations" } }),
  );
}
