// The rooms a space lists: its m.space.child state events that still carry a `via` list (an
// m.space.child without one is a removed link, Matrix spec §Spaces).
import type { Room } from "matrix-js-sdk";

export function spaceChildIds(space: Room): string[] {
  return space.currentState.getStateEvents("m.space.child")
    .filter((e) => Array.isArray(e.getContent()["via"]))
    .map((e) => e.getStateKey())
    .filter((id): id is string => id !== undefined);
}
