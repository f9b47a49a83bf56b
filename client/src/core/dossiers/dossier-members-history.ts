// The keys of a dossier's past messages (its files) for an agent who joins it. The room's history
// is "shared", so matrix-js-sdk's invite() already sends the invitee a key bundle (MSC4268: the
// room's Megolm keys uploaded encrypted, its address sent by to-device to each of their devices
// cross-signed by their owner). That bundle reaches nobody when the invitee had no such device yet
// (not signed in, or their recovery key not saved) when invited: their client then never gets the
// keys of what was sent before and the dossier looks empty. So when a member invited by this agent
// joins, the bundle is shared again: their device is known by then (they joined from it), and the
// SDK asks their server for their device list before sending. Their client takes a bundle from
// their inviter in the 24 h after joining (RustCrypto.maybeAcceptKeyBundle).
import { ClientEvent, RoomMemberEvent, SyncState, type MatrixClient, type MatrixEvent, type RoomMember } from "matrix-js-sdk";
import { DOSSIER_ROOM_TYPE } from "./protocol.ts";

/** Who sent `userId`'s last invite in the room, if this client still has the event. */
function inviterOf(client: MatrixClient, roomId: string, userId: string): string | undefined {
  const events = client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.getType() === "m.room.member" && e.getStateKey() === userId && e.getContent()["membership"] === "invite") return e.getSender();
  }
  return undefined;
}

/** Join events already answered with a bundle (a reload's first sync may replay the invite→join change), kept in localStorage when there is one. */
class Answered {
  private readonly key: string;
  private readonly ids: string[];
  constructor(userId: string) {
    this.key = `entente.history-shared.${userId}`;
    let stored: unknown = [];
    try { stored = JSON.parse(globalThis.localStorage?.getItem(this.key) ?? "[]"); } catch { stored = []; }
    this.ids = Array.isArray(stored) ? stored.filter((x): x is string => typeof x === "string") : [];
  }
  /** True the first time `eventId` is seen. */
  first(eventId: string): boolean {
    if (this.ids.includes(eventId)) return false;
    this.ids.push(eventId);
    this.ids.splice(0, Math.max(0, this.ids.length - 200));
    try { globalThis.localStorage?.setItem(this.key, JSON.stringify(this.ids)); } catch { /* private mode: in memory only */ }
    return true;
  }
}

/** The joiner's SDK takes a bundle only in the 24 h after joining (MAX_INVITE_ACCEPTANCE_MS_FOR_KEY_BUNDLE). */
const BUNDLE_WINDOW_MS = 24 * 3600_000;

const isMember = (e: MatrixEvent): boolean => e.getType() === "m.room.member" && e.getStateKey() !== undefined;

/**
 * Joins after an invite in the room's live timeline, with who sent that invite (undefined when
 * the invite is before the timeline and the server gave no prev_sender).
 */
function invitedJoins(events: readonly MatrixEvent[]): { join: MatrixEvent; userId: string; inviter: string | undefined }[] {
  const invitedBy = new Map<string, string | undefined>();
  const out: { join: MatrixEvent; userId: string; inviter: string | undefined }[] = [];
  for (const e of events) {
    if (!isMember(e)) continue;
    const userId = e.getStateKey() ?? "";
    const membership = e.getContent()["membership"];
    if (membership === "invite") { invitedBy.set(userId, e.getSender()); continue; }
    const fromInvite = invitedBy.has(userId) || e.getPrevContent()["membership"] === "invite";
    if (membership === "join" && fromInvite) out.push({ join: e, userId, inviter: invitedBy.get(userId) ?? (e.getUnsigned() as { prev_sender?: string }).prev_sender });
    invitedBy.delete(userId);
  }
  return out;
}

/**
 * Shares the dossier's key bundle again with each member who joins after this agent invited them
 * (or whose invite this client no longer has: a bundle from someone else is ignored by the joiner):
 * as the join comes, and, once the first sync is done, for the joins of the last 24 h in the
 * dossiers' timelines (this agent's client was not running when they joined). Each join once
 * (localStorage). `onShared` hears each attempt (for logs and tests). Returns the unsubscribe.
 */
export function reshareHistoryOnJoin(client: MatrixClient, onShared?: (roomId: string, userId: string, error?: unknown) => void): () => void {
  const me = client.getSafeUserId();
  const answered = new Answered(me);
  const share = (roomId: string, userId: string, join: MatrixEvent, inviter: string | undefined): void => {
    if (userId === me || (inviter !== undefined && inviter !== me)) return;
    const room = client.getRoom(roomId);
    if (room === null || room.getType() !== DOSSIER_ROOM_TYPE || room.getMyMembership() !== "join" || !room.hasEncryptionStateEvent()) return;
    if (room.getMember(userId)?.membership !== "join") return;
    const joinId = join.getId();
    if (joinId === undefined || !answered.first(joinId)) return;
    // On the Rust crypto backend (what invite() calls), not on the CryptoApi type.
    const crypto = client.getCrypto() as unknown as { shareRoomHistoryWithUser?: (roomId: string, userId: string) => Promise<void> } | undefined;
    if (crypto?.shareRoomHistoryWithUser === undefined) return;
    crypto.shareRoomHistoryWithUser(roomId, userId).then(() => onShared?.(roomId, userId), (e: unknown) => onShared?.(roomId, userId, e));
  };
  const listener = (event: MatrixEvent, member: RoomMember, oldMembership?: string): void => {
    const roomId = event.getRoomId();
    if (roomId === undefined || member.membership !== "join" || oldMembership !== "invite") return;
    share(roomId, member.userId, event, (event.getUnsigned() as { prev_sender?: string }).prev_sender ?? inviterOf(client, roomId, member.userId));
  };
  const scan = (): void => {
    for (const room of client.getRooms()) {
      if (room.getType() !== DOSSIER_ROOM_TYPE) continue;
      for (const { join, userId, inviter } of invitedJoins(room.getLiveTimeline().getEvents())) {
        if (Date.now() - join.getTs() < BUNDLE_WINDOW_MS) share(room.roomId, userId, join, inviter);
      }
    }
  };
  const onSync = (state: SyncState): void => {
    if (state !== SyncState.Prepared && state !== SyncState.Syncing) return;
    client.off(ClientEvent.Sync, onSync);
    scan();
  };
  client.on(RoomMemberEvent.Membership, listener);
  if (client.isInitialSyncComplete()) scan();
  else client.on(ClientEvent.Sync, onSync);
  return () => { client.off(RoomMemberEvent.Membership, listener); client.off(ClientEvent.Sync, onSync); };
}
