// Reads the events of a task or objectives list from the room itself, decrypted, and keeps them
// up to date from the live timeline, so a view refreshing after each task event refolds in memory
// instead of fetching the list again. A small list is read through the anchor's m.reference
// relations with `recurse` (spec v1.10: the roots and, one hop further, their updates and
// check-ins), a large one from the room's history back to the anchor (see fetchList).
// https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventidreltype
import { Direction, MatrixEventEvent, Method, RoomEvent, type IEvent, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import { OBJECTIVE_CHECKIN, OBJECTIVE_MSGTYPE, OBJECTIVE_UPDATE, ROOM_REDACTION, TASK_MSGTYPE, TASK_UPDATE } from "./protocol.ts";

/** Relations page asked for: servers cap it (ours at 1,000); asking more costs nothing. */
const PAGE = 1000;
/** /messages page when reading a large list's history (servers cap it; ours at 1,000). */
const HISTORY_PAGE = 1000;
/** Timeline event types a list keeps besides its roots (redactions: the fold judges them). */
export const FOLDED = new Set([TASK_UPDATE, OBJECTIVE_UPDATE, OBJECTIVE_CHECKIN, ROOM_REDACTION]);

export type RawFoldEvent = Record<string, unknown>;

/** The fold's raw shape of a fetched (and decrypted) event; undefined when it cannot be read. */
function foldRaw(e: MatrixEvent): RawFoldEvent | undefined {
  const eventId = e.getId();
  const sender = e.getSender();
  if (eventId === undefined || sender === undefined || e.isDecryptionFailure() || e.isEncrypted() && e.getClearContent() === null) return undefined;
  const content: Record<string, unknown> = { ...e.getOriginalContent() };
  // The relation stays in clear next to the ciphertext (spec): keep it whatever the decryptor did.
  const rel = e.getWireContent()["m.relates_to"];
  if (content["m.relates_to"] === undefined && rel !== undefined) content["m.relates_to"] = rel;
  return { event_id: eventId, type: e.getType(), sender, origin_server_ts: e.getTs(), content, unsigned: e.getUnsigned() };
}

interface CachedList { roomId: string; events: Map<string, RawFoldEvent>; ready: Promise<void> }

export class ListReader {
  private readonly client: MatrixClient;
  private readonly lists = new Map<string, CachedList>();

  constructor(client: MatrixClient) {
    this.client = client;
    client.on(RoomEvent.Timeline, (e: MatrixEvent, _room: Room | undefined, toStart: boolean | undefined) => { if (toStart !== true) this.absorb(e); });
    client.on(MatrixEventEvent.Decrypted, (e: MatrixEvent) => this.absorb(e));
    // A gappy sync may have skipped events: the room's lists are fetched again when next read.
    client.on(RoomEvent.TimelineReset, (room: Room | undefined) => this.dropRoom(room?.roomId));
  }

  /** Forgets the cached lists of a room (all rooms without one): the next read fetches them. */
  dropRoom(roomId: string | undefined): void {
    for (const [key, c] of this.lists) if (roomId === undefined || c.roomId === roomId) this.lists.delete(key);
  }

  /**
   * A list's events: fetched once, then kept up to date from the live timeline (absorb). The
   * cache exists before its fetch starts, so an event arriving meanwhile is not lost.
   */
  async listEvents(roomId: string, anchor: string, rootMsgtype: string): Promise<RawFoldEvent[]> {
    const key = `${roomId}\n${anchor}`;
    let cache = this.lists.get(key);
    if (cache === undefined) {
      const events = new Map<string, RawFoldEvent>();
      const t0 = performance.now();
      const ready = this.fetchList(roomId, anchor, rootMsgtype).then((list) => {
        performance.measure("entente:tasks:fetch", { start: t0, end: performance.now() });
        for (const e of list) if (!events.has(String(e["event_id"]))) events.set(String(e["event_id"]), e);
      });
      const created = { roomId, events, ready };
      cache = created;
      this.lists.set(key, created);
      ready.catch(() => { if (this.lists.get(key) === created) this.lists.delete(key); });
    }
    await cache.ready;
    return [...cache.events.values()];
  }

  /** One page of relations, decrypted. */
  private async page(roomId: string, eventId: string, from: string | undefined, recurse: boolean): Promise<{ events: RawFoldEvent[]; next: string | undefined; recursed: boolean }> {
    const res = await this.client.fetchRelations(roomId, eventId, "m.reference", null, { dir: Direction.Backward, limit: PAGE, ...(from ? { from } : {}), ...(recurse ? { recurse: true } : {}) });
    const events = await this.readable(res.chunk);
    return { events, next: res.next_batch ?? undefined, recursed: (res as { recursion_depth?: unknown }).recursion_depth !== undefined };
  }

  /**
   * Fetched events in the fold's shape: clear ones as the server sent them (no SDK object: a large
   * list is 20,000 of them), encrypted ones through the SDK's Rust crypto.
   */
  private async readable(chunk: readonly IEvent[]): Promise<RawFoldEvent[]> {
    const encrypted = chunk.filter((e) => e.type === "m.room.encrypted").map(this.client.getEventMapper());
    await Promise.all(encrypted.map((e) => this.client.decryptEventIfNeeded(e)));
    const decrypted = new Map(encrypted.map((e) => [e.getId(), foldRaw(e)]));
    const out: RawFoldEvent[] = [];
    for (const e of chunk) {
      const raw = e.type === "m.room.encrypted" ? decrypted.get(e.event_id) : { event_id: e.event_id, type: e.type, sender: e.sender, origin_server_ts: e.origin_server_ts, content: e.content, unsigned: e.unsigned ?? {}, ...(e.redacts !== undefined ? { redacts: e.redacts } : {}) };
      if (raw !== undefined) out.push(raw);
    }
    return out;
  }

  private async all(roomId: string, eventId: string, recurse: boolean): Promise<{ events: RawFoldEvent[]; recursed: boolean }> {
    const events: RawFoldEvent[] = [];
    let from: string | undefined;
    let recursed = false;
    do {
      const p = await this.page(roomId, eventId, from, recurse);
      events.push(...p.events);
      recursed ||= p.recursed;
      from = p.next;
    } while (from !== undefined);
    return { events, recursed };
  }

  /**
   * Every event of a list: the roots under the anchor and what references them. A small list
   * (its roots fit in one page of relations) is read through the anchor's relations with
   * `recurse`, never task by task (unless the server ignores `recurse`); a large one by reading
   * the room's history back to the anchor with /messages (1,000 events a page, only the event
   * types a list is made of). With 2,000 tasks and 20,000 updates (23 pages either way), even
   * since the homeserver keeps one walk of the relation tree per pagination (04de7e3; 73.8 s
   * before), recursive relations took 2.0-2.2 s against 1.6-1.9 s for the history at load 4-5,
   * and "Mes tâches" loaded in 3.0-3.4 s through relations against 2.0-2.7 s through the history
   * (tests/bench/tasks-list-fetch.ts, tests/bench/tasks-views.ts). Everything of a list comes
   * after its anchor.
   */
  private async fetchList(roomId: string, anchor: string, rootMsgtype: string): Promise<RawFoldEvent[]> {
    const first = await this.page(roomId, anchor, undefined, false);
    if (first.next !== undefined) return this.historySince(roomId, anchor);
    const { events, recursed } = await this.all(roomId, anchor, true);
    if (recursed) return events;
    const roots = events.filter((e) => (e["content"] as Record<string, unknown>)["msgtype"] === rootMsgtype).map((e) => String(e["event_id"]));
    for (const root of roots) events.push(...(await this.all(roomId, root, false)).events);
    return events;
  }

  /** The room's events of the types a list is made of, from now back to the anchor, decrypted. */
  private async historySince(roomId: string, anchor: string): Promise<RawFoldEvent[]> {
    const filter = JSON.stringify({ types: ["m.room.message", "m.room.encrypted", ...FOLDED] });
    const out: RawFoldEvent[] = [];
    let from: string | undefined;
    for (;;) {
      const res = await this.client.http.authedRequest<{ chunk?: IEvent[]; end?: string }>(Method.Get, `/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: String(HISTORY_PAGE), filter, ...(from ? { from } : {}) });
      const chunk = res.chunk ?? [];
      out.push(...(await this.readable(chunk)));
      if (chunk.length === 0 || res.end === undefined || chunk.some((e) => e.event_id === anchor)) return out;
      from = res.end;
    }
  }

  /** A live (or late-decrypted) event of a room with a cached list joins that list's events. */
  private absorb(e: MatrixEvent): void {
    const roomId = e.getRoomId();
    const id = e.getId();
    if (roomId === undefined || id === undefined || !id.startsWith("$")) return;
    const type = e.getType();
    const msgtype = e.getContent()["msgtype"];
    if (!FOLDED.has(type) && msgtype !== TASK_MSGTYPE && msgtype !== OBJECTIVE_MSGTYPE) return;
    const raw = foldRaw(e);
    if (raw === undefined) return; // still encrypted: its Decrypted event comes later
    for (const c of this.lists.values()) if (c.roomId === roomId) c.events.set(id, raw);
  }
}
