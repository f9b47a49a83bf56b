// Real links: #/room/<room id>, so a room can be shared and the back button works;
// #/room/<room id>/thread/<root event id> opens that thread beside the room (a task's comments).
const THREAD = /^(#\/room\/[^/]+)\/thread\/([^/]+)$/;

export function roomFromHash(hash: string): string | undefined {
  const m = /^#\/room\/(.+)$/.exec(THREAD.exec(hash)?.[1] ?? hash);
  return m?.[1] === undefined ? undefined : decoded(m[1]);
}

/** The thread root named by a #/room/<room id>/thread/<event id> link, else undefined. */
export function threadFromHash(hash: string): string | undefined {
  const m = THREAD.exec(hash);
  return m?.[2] === undefined ? undefined : decoded(m[2]);
}

function decoded(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export const roomHash = (roomId: string): string => `#/room/${encodeURIComponent(roomId)}`;
export const threadHash = (roomId: string, rootId: string): string => `${roomHash(roomId)}/thread/${encodeURIComponent(rootId)}`;
