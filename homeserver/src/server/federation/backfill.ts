// Backfill: history from before our server joined a room, fetched from another council when a
// client paginates past the oldest event we hold. Backfilled events take stream positions below
// everything else, so /messages returns them in order and /sync never replays them.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#backfilling-and-retrieving-missing-events
import type { RoomEvent } from "../../room/pdu.ts";
import type { RoomVersion } from "../../room/room-versions.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { Database } from "../../storage/sql.ts";
import type { Logger } from "../log.ts";
import type { KeyedLock } from "../rooms/room-lock.ts";
import { versionOrThrow } from "../rooms/local-events.ts";
import type { FederationClient } from "./transport/federation-client.ts";
import type { KeyRing } from "./keys/key-ring.ts";
import { authAgainstOwnAuthEvents, checkReceivedPdu, type EventFetcher } from "./inbound/event-fetcher.ts";
import { serversInRoom } from "./inbound/room-servers.ts";
import { inRoomOrLog } from "./inbound/room-of-event.ts";

export interface BackfillDeps {
  db: Database;
  events: EventStore;
  rooms: RoomStore;
  client: FederationClient;
  keyRing: KeyRing;
  fetcher: EventFetcher;
  lock: KeyedLock;
  serverName: string;
  log: Logger;
}

export class Backfiller {
  private readonly deps: BackfillDeps;
  constructor(deps: BackfillDeps) {
    this.deps = deps;
  }

  /** Fetches up to `limit` older events when the oldest event we hold has unknown prev events. Returns how many were stored. */
  async backfill(roomId: string, limit: number): Promise<number> {
    const room = await this.deps.rooms.getRoom(roomId);
    if (!room || room.currentStateGroup === undefined) return 0;
    const version = versionOrThrow(room.version);
    return this.deps.lock.run(roomId, async () => {
      const oldest = (await this.deps.events.roomEvents(roomId, { limit: 1, backwards: false }))[0];
      if (!oldest) return 0;
      const prevs = await this.deps.events.getEvents(oldest.event.pdu.prev_events);
      const missing = oldest.event.pdu.prev_events.filter((id) => !prevs.has(id) || prevs.get(id)?.outlier);
      if (missing.length === 0) return 0;
      const servers = [...(await serversInRoom(this.deps.rooms, roomId))].filter((s) => s !== this.deps.serverName);
      for (const server of servers) {
        try {
          return await this.fromServer(server, roomId, version, missing, limit, oldest.stateGroup);
        } catch (err) {
          this.deps.log.info("backfill failed", { server, room_id: roomId, error: err instanceof Error ? err.message : String(err) });
        }
      }
      return 0;
    });
  }

  private async fromServer(server: string, roomId: string, version: RoomVersion, from: string[], limit: number, stateGroup: number | undefined): Promise<number> {
    const q = [...from.map((v) => `v=${encodeURIComponent(v)}`), `limit=${Math.min(limit, 100)}`].join("&");
    const res = await this.deps.client.request<{ pdus?: unknown[] }>(server, "GET", `/_matrix/federation/v1/backfill/${encodeURIComponent(roomId)}?${q}`);
    const checked: RoomEvent[] = [];
    for (const raw of res.pdus ?? []) {
      const c = await checkReceivedPdu(raw, version, this.deps.keyRing);
      if ("event" in c && inRoomOrLog(c.event, roomId, this.deps.log, "backfill")) checked.push(c.event);
    }
    // newest first: each insert takes the lowest position, so older events end up lower
    checked.sort((a, b) => b.pdu.depth - a.pdu.depth);
    let stored = 0;
    const createId = version.roomIdFromCreate ? "$" + roomId.slice(1) : undefined;
    for (const ev of checked) {
      const existing = await this.deps.events.getEvent(ev.eventId);
      if (existing && !existing.outlier) continue;
      const auth = await this.deps.fetcher.ensure(server, roomId, version, [...ev.pdu.auth_events, ...(createId ? [createId] : [])]);
      const rejected = authAgainstOwnAuthEvents(ev, ev.pdu.auth_events.map((id) => auth.get(id)).filter((e): e is RoomEvent => e !== undefined), version, createId ? auth.get(createId) : undefined);
      await this.deps.db.transaction(async (tx) => {
        if (existing) await tx.run("DELETE FROM events WHERE event_id = ? AND outlier = 1", [ev.eventId]);
        // Historical state is approximated by the state at the oldest event we had (see README).
        await this.deps.events.persist(tx, { event: ev, roomId, stateGroupBefore: stateGroup, backfilled: true, ...(rejected ? { rejected } : {}) });
      });
      stored++;
    }
    return stored;
  }
}
