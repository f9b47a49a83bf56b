// Who is here and where they are: typing notices, read receipts, my own read position (for "jump to
// the first unread"), and people to @-mention, read from matrix-js-sdk.
import type { MatrixClient } from "matrix-js-sdk";
import { looksLikeUserId, rankMentionCandidates, type MentionCandidate } from "./mentions.ts";

/** Typing notices expire on the server after this; the composer renews them while typing goes on. */
export const TYPING_TIMEOUT_MS = 6000;

export async function setTyping(client: MatrixClient, roomId: string, typing: boolean): Promise<void> {
  await client.sendTyping(roomId, typing, TYPING_TIMEOUT_MS);
}

/** [userId, eventId read up to] of the other joined members that sent a receipt. */
export function othersReadUpTo(client: MatrixClient, roomId: string): [string, string][] {
  const room = client.getRoom(roomId);
  if (room === null) return [];
  const me = client.getSafeUserId();
  return room.getJoinedMembers().flatMap((m) => {
    if (m.userId === me) return [];
    const id = room.getEventReadUpTo(m.userId);
    return id !== null ? [[m.userId, id] as [string, string]] : [];
  });
}

/** My read position; the receipt's event id even when that event is not loaded yet (older history). */
export function myReadUpTo(client: MatrixClient, roomId: string): string | undefined {
  const room = client.getRoom(roomId);
  const me = client.getSafeUserId();
  return room?.getEventReadUpTo(me) ?? room?.getReadReceiptForUserId(me, true)?.eventId ?? undefined;
}

/**
 * People for "@term": the room's members and everyone met in shared rooms (any council), the home
 * council's directory (it lists local agents only), and a full Matrix id typed out, checked by its
 * profile (federation) so a colleague of another council can be mentioned before any shared room.
 */
export async function searchPeople(client: MatrixClient, roomId: string, term: string): Promise<MentionCandidate[]> {
  const room = client.getRoom(roomId);
  const members = (room?.getJoinedMembers() ?? []).map((m) => ({ userId: m.userId, name: m.name }));
  const met = client.getUsers().map((u) => ({ userId: u.userId, name: u.displayName ?? u.userId }));
  const directory = term === "" ? [] : await client.searchUserDirectory({ term, limit: 8 }).then(
    (r) => r.results.map((u) => ({ userId: u.user_id, name: u.display_name ?? u.user_id })),
    () => [],
  );
  const typed = looksLikeUserId(`@${term}`) ? await client.getProfileInfo(`@${term}`).then(
    (p) => [{ userId: `@${term}`, name: p.displayname ?? `@${term}` }],
    () => [],
  ) : [];
  return rankMentionCandidates(term, [typed, members, met, directory], client.getSafeUserId());
}
