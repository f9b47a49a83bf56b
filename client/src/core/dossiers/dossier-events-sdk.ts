// The events a dossier's tree is folded from, per room, over matrix-js-sdk. Files are ordinary
// m.file messages, not relations of one anchor, so the tree needs the room's whole history: read
// once with /messages (decrypted by the SDK's Rust crypto), then kept from the live timeline, local
// echoes and late decryptions; a gappy sync drops the room's events (read again on the next ask).
// Events not decrypted yet (their key not here: an agent who just joined waits for the inviter's
// key bundle) are counted, so the view says so rather than « vide »; each one decrypted later is
// folded in.
// Listeners hear of every room whose events changed. Used by dossiers-sdk.ts.
import { Direction, MatrixEventEvent, Method, RoomEvent, RoomStateEvent, type IEvent, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import { FILE_LOCK_STATE, FILE_MSGTYPES, FILE_UPDATE, FOLDER_EVENT } from "./protocol.ts";

const PAGE = 500;

type RawEvent = Record<string, unknown>;

/** The fold's raw shape of a (decrypted) event, if it is one the tree reads. */
/** An event whose decryption failed or is still to come. */
const undecrypted = (e: MatrixEvent): boolean => e.isDecryptionFailure() || (e.isEncrypted() && e.getClearContent() === null);

function treeRaw(e: MatrixEvent): RawEvent | undefined {
  const eventId = e.getId();
  const sender = e.getSender();
  if (eventId === undefined || !eventId.startsWith("$") || sender === undefined || undecrypted(e)) return undefined;
  const type = e.getType();
  const content: Record<string, unknown> = { ...e.getOriginalContent() };
  const relevant = type === FOLDER_EVENT || type === FILE_UPDATE || type === "m.room.redaction" || (type === "m.room.message" && FILE_MSGTYPES.has(String(content["msgtype"])));
  if (!relevant) return undefined;
  const rel = e.getWireContent()["m.relates_to"];
  if (content["m.relates_to"] === undefined && rel !== undefined) content["m.relates_to"] = rel;
  const raw: RawEvent = { event_id: eventId, type, sender, origin_server_ts: e.getTs(), content, unsigned: e.getUnsigned() };
  const redacts = e.event.redacts;
  if (typeof redacts === "string") raw["redacts"] = redacts;
  return raw;
}

export class DossierEvents {
  private readonly client: MatrixClient;
  private readonly rooms = new Map<string, { events: Map<string, RawEvent>; locked: Set<string>; ready: Promise<void> }>();
  private readonly listeners = new Set<(roomId: string) => void>();

  constructor(client: MatrixClient) {
    this.client = client;
    client.on(RoomEvent.Timeline, (e: MatrixEvent, _r: Room | undefined, toStart: boolean | undefined) => { if (toStart !== true) this.absorb(e); });
    client.on(RoomEvent.LocalEchoUpdated, (e: MatrixEvent) => this.absorb(e));
    client.on(MatrixEventEvent.Decrypted, (e: MatrixEvent) => this.absorb(e));
    // A lock taken or released, power levels changed, a member gone (room state, read by the view
    // from the current state: who holds what, what this agent may do; a holder who left holds
    // nothing): views redraw.
    client.on(RoomStateEvent.Events, (e: MatrixEvent) => {
      const roomId = e.getRoomId();
      if (roomId !== undefined && (e.getType() === FILE_LOCK_STATE || e.getType() === "m.room.power_levels" || e.getType() === "m.room.member")) this.changed(roomId);
    });
    // A gappy sync may have skipped events: read the history again, and tell the open views.
    client.on(RoomEvent.TimelineReset, (room: Room | undefined) => {
      const dropped = room === undefined ? [...this.rooms.keys()] : this.rooms.has(room.roomId) ? [room.roomId] : [];
      for (const id of dropped) this.rooms.delete(id);
      for (const id of dropped) this.changed(id);
    });
  }

  onChange(listener: (roomId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(roomId: string): void {
    for (const l of this.listeners) l(roomId);
  }

  private absorb(e: MatrixEvent): void {
    const roomId = e.getRoomId();
    if (roomId === undefined) return;
    const cache = this.rooms.get(roomId);
    if (cache === undefined) return;
    const id = e.getId();
    const wasLocked = id !== undefined && cache.locked.delete(id);
    if (id !== undefined && id.startsWith("$") && undecrypted(e)) {
      cache.locked.add(id);
      if (!wasLocked) this.changed(roomId);
      return;
    }
    const raw = treeRaw(e);
    if (raw !== undefined) cache.events.set(String(raw["event_id"]), raw);
    if (raw !== undefined || wasLocked) this.changed(roomId);
  }

  /** Keeps an event we sent at once (its remote echo would not come as a new timeline event). */
  sent(roomId: string, raw: RawEvent & { event_id: string }): void {
    this.rooms.get(roomId)?.events.set(raw.event_id, raw);
    this.changed(roomId);
  }

  /** The room's whole history, newest first, decrypted; only the tree's events are kept. */
  private async readHistory(roomId: string, into: Map<string, RawEvent>, locked: Set<string>): Promise<void> {
    let from: string | undefined;
    const mapper = this.client.getEventMapper();
    for (;;) {
      const res = await this.client.http.authedRequest<{ chunk: Partial<IEvent>[]; end?: string }>(Method.Get, `/rooms/${encodeURIComponent(roomId)}/messages`, { dir: Direction.Backward, limit: String(PAGE), ...(from ? { from } : {}) });
      const mapped = res.chunk.map(mapper);
      await Promise.all(mapped.map((e) => this.client.decryptEventIfNeeded(e)));
      for (const e of mapped) {
        const id = e.getId();
        // A key that came while reading: the Decrypted event may have been missed (the cache is not ready yet).
        if (id !== undefined && undecrypted(e)) locked.add(id);
        else if (id !== undefined) locked.delete(id);
        const raw = treeRaw(e);
        if (raw !== undefined && !into.has(String(raw["event_id"]))) into.set(String(raw["event_id"]), raw);
      }
      if (res.end === undefined || res.chunk.length === 0 || res.end === from) return;
      from = res.end;
    }
  }

  /** The tree's events of the room (its history read on the first ask; a failed read is tried again next time). */
  async of(roomId: string): Promise<RawEvent[]> {
    let cache = this.rooms.get(roomId);
    if (cache === undefined) {
      const events = new Map<string, RawEvent>();
      const locked = new Set<string>();
      const created = { events, locked, ready: this.readHistory(roomId, events, locked) };
      cache = created;
      this.rooms.set(roomId, created);
      created.ready.catch(() => { if (this.rooms.get(roomId) === created) this.rooms.delete(roomId); });
    }
    await cache.ready;
    return [...cache.events.values()];
  }

  /** How many of the room's events read so far are not decrypted (key missing or still coming). */
  undecrypted(roomId: string): number {
    return this.rooms.get(roomId)?.locked.size ?? 0;
  }
}
