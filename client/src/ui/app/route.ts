// Real links: #/room/<room id>, so a room can be shared and the back button works.
export function roomFromHash(hash: string): string | undefined {
  const m = /^#\/room\/(.+)$/.exec(hash);
  if (m?.[1] === undefined) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}
export const roomHash = (roomId: string): string => `#/room/${encodeURIComponent(roomId)}`;
