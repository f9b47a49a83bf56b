// What an empty objectives dashboard tells the agent to do, from their access to the working
// group's rooms (TasksPort.objectiveRooms): create the first one (in a room where they may, the
// first objective of a room setting its list up), ask someone with a higher role (no room allows
// them; the lowest level needed is said), or make a room in the group first. Pure.
import type { ObjectiveRoomChoice } from "./tasks-port.ts";

export type ObjectivesEmptyHint =
  /** The agent may create one; `setupOnly`: in every such room the first objective also sets the list up. */
  | { kind: "create"; setupOnly: boolean }
  | { kind: "forbidden"; needed: number; mine: number }
  | { kind: "no-room" };

export function objectivesEmptyHint(rooms: readonly ObjectiveRoomChoice[]): ObjectivesEmptyHint {
  if (rooms.length === 0) return { kind: "no-room" };
  const allowed = rooms.filter((r) => r.access.kind !== "forbidden");
  if (allowed.length > 0) return { kind: "create", setupOnly: allowed.every((r) => r.access.kind === "setup") };
  let best: { needed: number; mine: number } | undefined;
  for (const r of rooms) {
    if (r.access.kind !== "forbidden") continue;
    if (best === undefined || r.access.needed < best.needed) best = { needed: r.access.needed, mine: r.access.mine };
  }
  return { kind: "forbidden", needed: best?.needed ?? 50, mine: best?.mine ?? 0 };
}
