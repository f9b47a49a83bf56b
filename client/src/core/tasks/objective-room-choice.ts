// Which room the « Nouvel objectif » form picks first: a room that already holds the working
// group's objectives, else the first where the agent may set a list up. Never one the agent
// cannot write to; "" when there is none.
import type { ObjectiveRoomChoice } from "./tasks-port.ts";

export function defaultObjectiveRoom(rooms: readonly ObjectiveRoomChoice[]): string {
  return (rooms.find((r) => r.access.kind === "ready") ?? rooms.find((r) => r.access.kind !== "forbidden"))?.roomId ?? "";
}
