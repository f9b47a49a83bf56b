// A room's members as of a state group, kept in memory for the reads every send made: the
// long-polls to wake (compose.ts notifyRoom), the federation destinations (enqueueLocal) and the
// appservices' interest in the room (its joined members, appservices.ts: `latest`).
// Keyed by the state group, so an entry is the members of that immutable state, never "current
// as of some time": a local event carries the group after it (PersistedEvent.stateGroup).
// Two guards keep it exact where a group id alone would not:
// - a room with a membership change in flight (`changing` .. `changed`) is neither served nor
//   filled: on SQLite a read between the change's writes sees its rows before its group, and a
//   rolled back group id is used again (AUTOINCREMENT); on PostgreSQL a read between COMMIT and
//   the announcement is fine, but the event is announced after its room's lock is released;
// - a read that overlapped any change (`epoch` moved) is used once but not kept.
// `changing` is called inside the writing transaction before its first statement (local state
// events: LocalEventsDeps.onChanging; accepted federated events: RemoteInputDeps.onChanging; remote
// joins and out-of-room memberships: remote-membership.ts), so no read can land between a change's
// writes and its mark; `changed` (at the announcement) drops the entry. A change whose
// transaction failed (body or COMMIT) ends with `changed` too: LocalEventsDeps, RemoteInputDeps and
// RemoteMembershipDeps.onChangeFailed; else its room would stay uncached (read each time).
import type { RoomStore } from "../../storage/room-store.ts";
import { serverNameOf } from "../../spec/ids.ts";
import { LruMap } from "../cache/lru-map.ts";

export interface MemberSnapshot {
  /** The state group these members are of (undefined: not cacheable). */
  group: number | undefined;
  /** Users to wake for the room's events: every membership but leave and ban. */
  wake: readonly string[];
  /** Servers with at least one joined member (federation destinations). */
  servers: ReadonlySet<string>;
  /** Joined members (appservice interest). */
  joined: readonly string[];
}

export class RoomMembers {
  private readonly entries: LruMap<string, MemberSnapshot & { group: number }>;
  /** Rooms with membership changes executed but not yet announced, by event id. */
  private readonly inFlight = new Map<string, Set<string>>();
  private epoch = 0;
  private readonly rooms: Pick<RoomStore, "memberSnapshot">;

  constructor(deps: { rooms: Pick<RoomStore, "memberSnapshot">; maxRooms?: number }) {
    this.rooms = deps.rooms;
    this.entries = new LruMap(deps.maxRooms ?? 4096);
  }

  /** The members at `group` when kept (no read); undefined otherwise. */
  at(roomId: string, group: number | undefined): MemberSnapshot | undefined {
    if (group === undefined || this.inFlight.has(roomId)) return undefined;
    const e = this.entries.peek(roomId);
    return e?.group === group ? e : undefined;
  }

  /** The kept members whatever their group, when no change is in flight (typing wake-ups). */
  latest(roomId: string): MemberSnapshot | undefined {
    return this.inFlight.has(roomId) ? undefined : this.entries.peek(roomId);
  }

  /** The members at `group` if kept, else the room's current members read from the database. */
  async get(roomId: string, group: number | undefined): Promise<MemberSnapshot> {
    return this.at(roomId, group) ?? this.read(roomId);
  }

  /** Reads the current members; keeps them when nothing changed meanwhile. */
  async read(roomId: string): Promise<MemberSnapshot> {
    const epoch = this.epoch;
    const { group, members } = await this.rooms.memberSnapshot(roomId);
    const wake: string[] = [];
    const joined: string[] = [];
    const servers = new Set<string>();
    for (const m of members) {
      if (m.membership !== "leave" && m.membership !== "ban") wake.push(m.userId);
      if (m.membership === "join") {
        joined.push(m.userId);
        const s = serverNameOf(m.userId);
        if (s) servers.add(s);
      }
    }
    const snap = { group, wake, servers, joined };
    if (group !== undefined && epoch === this.epoch && !this.inFlight.has(roomId)) {
      this.entries.set(roomId, { ...snap, group }); // the most recently read: the last to go
    }
    return snap;
  }

  /** A membership change (or a state change that may be one) ran in an open transaction. */
  changing(roomId: string, eventId: string): void {
    this.epoch++;
    this.entries.delete(roomId);
    let set = this.inFlight.get(roomId);
    if (!set) this.inFlight.set(roomId, (set = new Set()));
    set.add(eventId);
  }

  /** The change committed and is being announced (also for changes `changing` never saw). */
  changed(roomId: string, eventId: string): void {
    this.epoch++;
    this.entries.delete(roomId);
    const set = this.inFlight.get(roomId);
    if (set?.delete(eventId) && set.size === 0) this.inFlight.delete(roomId);
  }
}
