// Loads events we lack from another server, checks them (format, signatures, hashes, auth against
// their own auth events) and stores them as outliers.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1eventeventid
import type { Pdu, RoomEvent } from "../../../room/pdu.ts";
import { stateKeyOf } from "../../../room/pdu.ts";
import type { RoomVersion } from "../../../room/room-versions.ts";
import { validatePdu } from "../../../room/validate-pdu.ts";
import { checkContentHash, eventIdOf } from "../../../room/hashes.ts";
import { redactPdu } from "../../../room/redaction.ts";
import { checkAuth, checkAuthEventsShape } from "../../../room/auth/check-auth.ts";
import type { EventStore, StoredEventRow } from "../../../storage/event-store.ts";
import { authEventOf } from "../../rooms/auth-event-view.ts";
import type { Database } from "../../../storage/sql.ts";
import type { FederationClient } from "../transport/federation-client.ts";
import type { KeyRing } from "../keys/key-ring.ts";
import type { Logger } from "../../log.ts";
import { checkPduSignatures } from "./pdu-signatures.ts";
import { inRoomOrLog, keepRoomEvents } from "./room-of-event.ts";

export interface FetcherDeps {
  db: Database;
  events: EventStore;
  client: FederationClient;
  keyRing: KeyRing;
  log: Logger;
}

/** Event rows read once per received event's checks (remote-input.ts RowReads). */
export interface RowReadsLike {
  get(ids: readonly string[]): Promise<Map<string, StoredEventRow>>;
  clear(): void;
}

export interface CheckedEvent {
  event: RoomEvent;
  /** Why the event's own auth events do not allow it (stored as rejected). */
  rejected?: string;
}

/** Validates a received PDU: format, signatures, content hash (redacts on mismatch). */
export async function checkReceivedPdu(raw: unknown, version: RoomVersion, keyRing: KeyRing): Promise<{ event: RoomEvent } | { error: string }> {
  const v = validatePdu(raw, version);
  if (!v.ok) return { error: v.reason };
  let pdu: Pdu = v.pdu;
  const sigError = await checkPduSignatures(pdu, version, keyRing);
  if (sigError) return { error: sigError };
  const eventId = eventIdOf(pdu, version);
  if (!checkContentHash(pdu)) pdu = redactPdu(pdu, version);
  return { event: { eventId, pdu } };
}

/** Auth check of an event against its own listed auth events (+ the v12 create event). */
export function authAgainstOwnAuthEvents(event: RoomEvent, authEvents: readonly RoomEvent[], version: RoomVersion, create: RoomEvent | undefined): string | undefined {
  const shape = checkAuthEventsShape(event, authEvents, version);
  if (!shape.allowed) return shape.reason;
  const map = new Map<string, RoomEvent>();
  for (const a of authEvents) if (a.pdu.state_key !== undefined) map.set(stateKeyOf(a.pdu.type, a.pdu.state_key), a);
  if (create) map.set(stateKeyOf("m.room.create", ""), create);
  const v = checkAuth(event, map, version);
  return v.allowed ? undefined : v.reason;
}

export class EventFetcher {
  private readonly deps: FetcherDeps;
  constructor(deps: FetcherDeps) {
    this.deps = deps;
  }

  /**
   * Makes sure every id (and, transitively, its auth chain) is stored, fetching missing ones from
   * `origin` and storing them as outliers. Returns the events found or fetched (rejected ones too).
   * `reads`: the stored ones read through it, and it is cleared when outliers were stored.
   */
  async ensure(origin: string, roomId: string, version: RoomVersion, ids: readonly string[], reads?: RowReadsLike): Promise<Map<string, RoomEvent>> {
    const have = await (reads ? reads.get(ids) : this.deps.events.getEvents(ids));
    // stored ones in the form event auth uses (redacted once redacted); ids and state keys alike
    const out = new Map<string, RoomEvent>([...have].map(([id, r]) => [id, authEventOf(r, version)]));
    const missing = ids.filter((id) => !have.has(id));
    if (missing.length === 0) return out;
    const fetched = new Map<string, RoomEvent>();
    const queue = [...missing];
    while (queue.length > 0 && fetched.size < 5000) {
      const id = queue.shift() ?? "";
      if (fetched.has(id)) continue;
      const ev = await this.fetchOne(origin, id, version);
      if (!ev) throw new Error(`could not fetch event ${id} from ${origin}`);
      // an event of another room is neither stored under this one nor followed (its auth events)
      if (!inRoomOrLog(ev, roomId, this.deps.log, "event fetch")) continue;
      fetched.set(id, ev);
      const known = await this.deps.events.getEvents(ev.pdu.auth_events);
      for (const a of ev.pdu.auth_events) if (!known.has(a) && !fetched.has(a)) queue.push(a);
    }
    try {
      await this.storeOutliers(roomId, version, [...fetched.values()]);
    } finally {
      reads?.clear();
    }
    for (const [id, ev] of fetched) out.set(id, ev);
    return out;
  }

  async fetchOne(origin: string, eventId: string, version: RoomVersion): Promise<RoomEvent | undefined> {
    const res = await this.deps.client.request<{ pdus?: unknown[] }>(origin, "GET", `/_matrix/federation/v1/event/${encodeURIComponent(eventId)}`);
    const raw = res.pdus?.[0];
    if (raw === undefined) return undefined;
    const checked = await checkReceivedPdu(raw, version, this.deps.keyRing);
    if ("error" in checked) throw new Error(`event ${eventId} from ${origin}: ${checked.error}`);
    if (checked.event.eventId !== eventId) throw new Error(`${origin} answered ${checked.event.eventId} for ${eventId}`);
    return checked.event;
  }

  /** Stores events of `roomId` as outliers, oldest first, each auth-checked against its own auth events (others are dropped). */
  async storeOutliers(roomId: string, version: RoomVersion, evs: readonly RoomEvent[]): Promise<void> {
    const sorted = keepRoomEvents(evs, roomId, this.deps.log, "outliers").sort((a, b) => a.pdu.depth - b.pdu.depth);
    const pending = new Map(sorted.map((e) => [e.eventId, e]));
    const createId = version.roomIdFromCreate ? "$" + roomId.slice(1) : undefined;
    await this.deps.db.transaction(async (tx) => {
      for (const ev of sorted) {
        if ((await this.deps.events.getEvents([ev.eventId], tx)).size > 0) continue;
        const stored = await this.deps.events.getEvents(ev.pdu.auth_events, tx);
        const storedAuth = (row: StoredEventRow | undefined): RoomEvent | undefined => (row === undefined ? undefined : authEventOf(row, version));
        const authEvents = ev.pdu.auth_events.map((id) => pending.get(id) ?? storedAuth(stored.get(id))).filter((e): e is RoomEvent => e !== undefined);
        const create = createId ? (pending.get(createId) ?? storedAuth((await this.deps.events.getEvents([createId], tx)).get(createId))) : undefined;
        const rejected = authAgainstOwnAuthEvents(ev, authEvents, version, create);
        await this.deps.events.persist(tx, { event: ev, roomId, stateGroupBefore: undefined, outlier: true, ...(rejected ? { rejected } : {}) });
      }
    });
  }
}
