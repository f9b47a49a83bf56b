// Device-list tracking: the stream of "user U's devices or cross-signing keys changed", and the
// changed/left lists a user's /sync and /keys/changes report between two positions.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#tracking-the-device-list-for-a-user
import type { E2eeStore } from "../../storage/e2ee-store.ts";
import type { Notifier } from "../notifier.ts";

/** The two stream positions device lists depend on: room events (memberships) and device changes. */
export interface DeviceListPosition {
  events: number;
  deviceLists: number;
  /** Newest membership row's position (sync-queries.ts), when read with `events` in one snapshot. */
  memberRows?: number;
}

export interface DeviceListDelta {
  changed: string[];
  left: string[];
}

export class DeviceLists {
  private readonly store: E2eeStore;
  private readonly notifier: Notifier;

  constructor(deps: { store: E2eeStore; notifier: Notifier }) {
    this.store = deps.store;
    this.notifier = deps.notifier;
  }

  /**
   * A user's devices changed (created, deleted, new keys, cross-signing keys or signatures):
   * forget the keys of devices that no longer exist, record the change, and wake the long-polling
   * syncs of everyone who shares a room with the user (the user included).
   */
  async changed(userId: string): Promise<void> {
    await this.store.pruneRemovedDevices(userId);
    await this.store.recordDeviceListChange([userId]);
    this.notifier.notifyUsers(await this.store.usersSharingRoom(userId));
    for (const fn of this.listeners) await fn(userId);
  }

  /**
   * `signer` signed these users' master keys with their user-signing key: the signature is only for
   * the signer's eyes, so only the signer's syncs are woken to re-query them (no federation update).
   */
  async signedByUser(signer: string, targets: readonly string[]): Promise<void> {
    if (targets.length === 0) return;
    await this.store.recordDeviceListChange(targets);
    this.notifier.notifyUsers(new Set([signer]));
  }

  private readonly listeners: ((userId: string) => Promise<void>)[] = [];

  /** Federation tells other servers about changes of our users' devices. */
  onChange(fn: (userId: string) => Promise<void>): void {
    this.listeners.push(fn);
  }

  position(): Promise<number> {
    return this.store.maxDeviceListStream();
  }

  /**
   * `changed`: users sharing a joined room with `me` (and `me`) whose devices changed in
   * (from, to], plus users who newly share a room (they joined, or `me` joined their room).
   * `left`: users whose membership ended, or whose room `me` left, and who share no room any more.
   */
  async delta(me: string, from: DeviceListPosition, to: DeviceListPosition): Promise<DeviceListDelta> {
    // Each /sync asks; most have no device change and no membership change: the users sharing a
    // room are read only when there is something to filter, memberships only when events moved
    // (a membership committed after `to` comes with the next token).
    let sharingRead: Promise<Set<string>> | undefined;
    const sharing = (): Promise<Set<string>> => (sharingRead ??= this.store.usersSharingRoom(me));
    const changed = new Set<string>();
    if (to.deviceLists > from.deviceLists) {
      const users = await this.store.deviceListChanges(from.deviceLists, to.deviceLists);
      if (users.length > 0) {
        const shared = await sharing();
        for (const u of users) if (shared.has(u)) changed.add(u);
      }
    }
    const leftCandidates = new Set<string>();
    // to.memberRows: the newest membership row's position; not past from.events, nothing changed
    const membersMoved = to.events > from.events && (to.memberRows === undefined || to.memberRows > from.events);
    for (const m of membersMoved ? await this.store.membershipChanges(me, from.events) : []) {
      const iJoinedNow = m.myMembership === "join" && m.myStream > from.events;
      const iLeftNow = (m.myMembership === "leave" || m.myMembership === "ban") && m.myStream > from.events;
      if (m.membership === "join" && m.myMembership === "join" && (iJoinedNow || m.stream > from.events)) changed.add(m.userId);
      else if (iLeftNow && m.membership === "join") leftCandidates.add(m.userId);
      else if ((m.membership === "leave" || m.membership === "ban") && m.stream > from.events && m.myMembership === "join") leftCandidates.add(m.userId);
    }
    const shared = leftCandidates.size > 0 ? await sharing() : new Set<string>();
    const left = [...leftCandidates].filter((u) => !shared.has(u) && !changed.has(u));
    return { changed: [...changed].sort(), left: left.sort() };
  }
}
