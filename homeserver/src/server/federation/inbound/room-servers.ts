// Which servers take part in a room: those with at least one joined member (current state).
import type { RoomStore } from "../../../storage/room-store.ts";
import { serverNameOf } from "../../../spec/ids.ts";

export async function serversInRoom(rooms: RoomStore, roomId: string): Promise<Set<string>> {
  const servers = new Set<string>();
  for (const m of await rooms.members(roomId, "join")) {
    const s = serverNameOf(m.userId);
    if (s) servers.add(s);
  }
  return servers;
}
