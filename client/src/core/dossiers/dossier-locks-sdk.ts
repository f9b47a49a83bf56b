// Advisory locks over matrix-js-sdk (used by dossiers-sdk.ts): read from the room's current state,
// taken and released as `fr.entente.file.lock` state (state key = the file's root event id; docs/dossiers.md).
import type { MatrixClient } from "matrix-js-sdk";
import { sendStateAny } from "../sdk-untyped.ts";
import { activeLocks, type FileLock } from "./file-locks.ts";
import { buildFileLock, FILE_LOCK_STATE } from "./protocol.ts";

/**
 * The room's active locks; a holder known to have gone (left, removed, banned) holds none. Members
 * are lazy-loaded (matrix-session.ts): a holder the client has no member event for yet is taken as
 * still there — hiding a live lock would let another agent edit the file at the same time.
 */
export function roomLocks(client: MatrixClient, roomId: string, now: number): Map<string, FileLock> {
  const room = client.getRoom(roomId);
  const events = room?.currentState.getStateEvents(FILE_LOCK_STATE) ?? [];
  const joined = (userId: string): boolean => {
    const membership = room?.getMember(userId)?.membership;
    return membership !== "leave" && membership !== "ban";
  };
  return activeLocks(events.map((e) => ({ stateKey: e.getStateKey() ?? "", sender: e.getSender() ?? "", content: e.getContent() })), now, joined);
}

/** Whether the room's power levels let this agent send the lock state (dossiers created before locks may not). */
export function mayLock(client: MatrixClient, roomId: string): boolean {
  return client.getRoom(roomId)?.currentState.maySendStateEvent(FILE_LOCK_STATE, client.getSafeUserId()) ?? false;
}

export async function takeLock(client: MatrixClient, roomId: string, entryId: string, expiresAt: number): Promise<void> {
  await sendStateAny(client, roomId, FILE_LOCK_STATE, buildFileLock(client.getSafeUserId(), expiresAt), entryId);
}

export async function releaseLock(client: MatrixClient, roomId: string, entryId: string): Promise<void> {
  await sendStateAny(client, roomId, FILE_LOCK_STATE, {}, entryId);
}
