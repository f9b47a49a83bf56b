// A member's name on the board: the display name, told apart when another joined member has the
// same one, as Element does. Two councils' agents are often both « agent1 »: « agent1
// (ville-a.localhost) » and « agent1 (agglo-b.localhost) »; same name on the same server: the
// whole user id. Without a display name: the user id. Pure.
import type { Member } from "./board-store.ts";

const serverOf = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

export function memberLabel(members: ReadonlyMap<string, Member>, userId: string): string {
  const name = members.get(userId)?.displayName;
  if (name === undefined) return userId;
  const same = [...members.values()].filter((m) => m.userId !== userId && m.displayName === name);
  if (same.length === 0) return name;
  const server = serverOf(userId);
  return same.some((m) => serverOf(m.userId) === server) ? `${name} (${userId})` : `${name} (${server})`;
}
