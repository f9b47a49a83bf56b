// The keys of a dossier's past messages (its files) for an agent who joins it. The room's history
// is "shared", so matrix-js-sdk's invite() already sends the invitee a key bundle (MSC4268: the
// room's Megolm keys uploaded encrypted, its address sent by to-device to each of their devices
// cross-signed by their owner). That bundle reaches nobody when the invitee had no such device yet
// (not signed in, or their recovery key not saved) when invited: their client then never gets the
// keys of what was sent before and the dossier looks empty. So when a member invited by this agent
// joins, the bundle is shared again: their device is known by then (they joined from it), and the
// SDK asks their server for their device list before sending. Their client takes a bundle from
// their inviter in the 24 h after joining (RustCrypto.maybeAcceptKeyBundle).
import { RoomMemberEvent, type MatrixClient, type MatrixEvent, type RoomMember } from "matrix-js-sdk";
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

/**
 * Shares the dossier's key bundle again with each member who joins after this agent invited them
 * (or whose invite this client no longer has: a bundle from someone else is ignored by the joiner).
 * `onShared` hears each attempt (for logs and tests). Returns the unsubscribe.
 */
export function reshareHistoryOnJoin(client: MatrixClient, onShared?: (roomId: string, userId: string, error?: unknown) => void): () => void {
  const me = client.getSafeUserId();
  const answered = new Answered(me);
  const listener = (event: MatrixEvent, member: RoomMember, oldMembership?: string): void => {
    const roomId = event.getRoomId();
    if (roomId === undefined || member.userId === me || member.membership !== "join" || oldMembership !== "invite") return;
    const room = client.getRoom(roomId);
    if (room === null || room.getType() !== DOSSIER_ROOM_TYPE || room.getMyMembership() !== "join" || !room.hasEncryptionStateEvent()) return;
    const inviter = (event.getUnsigned() as { prev_sender?: string }).prev_sender ?? inviterOf(client, roomId, member.userId);
    if (inviter !== undefined && inviter !== me) return;
    const joinId = event.getId();
    if (joinId === undefined || !answered.first(joinId)) return;
    // On the Rust crypto backend (what invite() calls), not on the CryptoApi type.
    const crypto = client.getCrypto() as unknown as { shareRoomHistoryWithUser?: (roomId: string, userId: string) => Promise<void> } | undefined;
    if (crypto?.shareRoomHistoryWithUser === undefined) return;
    crypto.shareRoomHistoryWithUser(roomId, member.userId).then(() => onShared?.(roomId, member.userId), (e: unknown) => onShared?.(roomId, member.userId, e));
  };
  client.on(RoomMemberEvent.Membership, listener);
  return () => { client.off(RoomMemberEvent.Membership, listener); };
}
