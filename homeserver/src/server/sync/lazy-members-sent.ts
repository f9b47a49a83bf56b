// Lazy-loading room members (spec: "Lazy-loading room members", filter `lazy_load_members`): a
// /sync carries the member events of its timeline's senders, except those the client already has
// ("redundant" members, which `include_redundant_members: true` asks for anyway). What a device
// was sent is kept here, per process and bounded: a member counts as known to a device only once
// that device synced FROM a position at or past the response that carried it (so a response the
// client never received does not count), and only for that exact member event. Forgetting (another
// process, a restart, eviction) only costs a redundant member event, which clients accept.
import { LruMap } from "../cache/lru-map.ts";

const MAX_ROOMS = 50_000;

interface Sent {
  eventId: string;
  /** The events position of the response that carried it. */
  pos: number;
}

export class LazyMembersSent {
  private readonly rooms = new LruMap<string, Map<string, Sent>>(MAX_ROOMS);

  /** Whether the device has this member event for sure, given the position it syncs from. */
  has(device: string, roomId: string, userId: string, eventId: string, since: number): boolean {
    const sent = this.rooms.get(key(device, roomId))?.get(userId);
    return sent !== undefined && sent.eventId === eventId && sent.pos <= since;
  }

  /** Member events carried by a response at `pos`; `fresh` (an initial or full-state sync) forgets the room's earlier record. */
  record(device: string, roomId: string, members: Iterable<[userId: string, eventId: string]>, pos: number, fresh: boolean): void {
    const k = key(device, roomId);
    if (fresh) this.rooms.delete(k);
    let room: Map<string, Sent> | undefined;
    for (const [userId, eventId] of members) {
      // no entry (nor LRU move) for a response that carried no member event: most woken /syncs
      if (room === undefined) {
        room = this.rooms.get(k);
        if (room === undefined) this.rooms.set(k, (room = new Map()));
      }
      const had = room.get(userId);
      // a later response re-sending the same event does not make it "received" any later than the first
      if (had === undefined || had.eventId !== eventId) room.set(userId, { eventId, pos });
    }
  }
}

const key = (device: string, roomId: string): string => `${device}\u0000${roomId}`;
