// A member's name in a widget (the task board, the calendar): the display name, told apart when another joined member has the
// same one, as Element does. Two councils' agents are often both « agent1 »: « agent1
// (ville-a.localhost) » and « agent1 (agglo-b.localhost) »; same name on the same server: the
// whole user id. Without a display name: the user id. Pure. Every label is computed at once for a
// list of members (MemberLabels, O(members)); a widget keeps one per change of its members
// (the board's BoardStore.memberLabels), so a card's names cost O(1) each, not O(members).

/** A room member as a widget knows it. */
export interface LabelledMember {
  userId: string;
  displayName: string | undefined;
}

const serverOf = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

export class MemberLabels {
  readonly #labels = new Map<string, string>();

  constructor(members: Iterable<LabelledMember>) {
    // Members by display name, and per name how many are on each server.
    const byName = new Map<string, { ids: string[]; servers: Map<string, number> }>();
    for (const m of members) {
      if (m.displayName === undefined) continue;
      let group = byName.get(m.displayName);
      if (group === undefined) byName.set(m.displayName, group = { ids: [], servers: new Map() });
      group.ids.push(m.userId);
      const server = serverOf(m.userId);
      group.servers.set(server, (group.servers.get(server) ?? 0) + 1);
    }
    for (const [name, { ids, servers }] of byName) {
      for (const id of ids) {
        const server = serverOf(id);
        this.#labels.set(id, ids.length === 1 ? name : (servers.get(server) ?? 0) > 1 ? `${name} (${id})` : `${name} (${server})`);
      }
    }
  }

  /** The member's label; the user id for someone without a display name or not (or no longer) a member. */
  label(userId: string): string {
    return this.#labels.get(userId) ?? userId;
  }
}

/**
 * Per user, the `origin_server_ts` of the newest `m.room.member` event a widget took. Member events
 * reach a widget by several paths (the state read at start, the client's state push, live events,
 * older timeline events the client fed after the state: a back-pagination, a read racing a live
 * event), so the order they arrive in is not the room's: an invite without a display name arriving
 * after the join must not erase the member's name. Same timestamp: the later one wins. The time
 * is the sending council's clock: one ahead of ours (or lying) would pin its event over later
 * ones, so a time in our future counts as now (when we take it). The chain the homeserver gives
 * comes first: an event whose `unsigned.replaces_state` is the one taken is newer, and the one
 * the taken event replaced is older, whatever their times (a council whose clock is behind ours:
 * a kick, then a rejoin from there, is no longer refused until a reload). Taking the room's
 * current state unconditionally would heal it too, but which path fed a stale event (state read,
 * push or live) is not known, so every path is ordered.
 */
interface Taken {
  at: number;
  eventId: string | undefined;
  /** The event the taken one replaced (its unsigned.replaces_state). */
  replaced: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export class MemberEventOrder {
  readonly #newest = new Map<string, Taken>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether this member event of `userId` is not older than the last one taken (and if so, records it). */
  take(userId: string, event: object): boolean {
    const e = event as { origin_server_ts?: unknown; event_id?: unknown; unsigned?: { replaces_state?: unknown } };
    const ts = e.origin_server_ts;
    if (typeof ts !== "number") return true;
    const at = Math.min(ts, this.#now());
    const eventId = str(e.event_id);
    const replaced = str(e.unsigned?.replaces_state);
    const newest = this.#newest.get(userId);
    if (newest !== undefined) {
      const follows = replaced !== undefined && replaced === newest.eventId;
      const precedes = eventId !== undefined && eventId === newest.replaced;
      if (precedes || (!follows && at < newest.at)) return false;
    }
    this.#newest.set(userId, { at, eventId, replaced });
    return true;
  }
}
