// Links of the task views: #/tasks ("Mes tâches"), #/objectives (pick a working group) and
// #/objectives/<space id> (its dashboard). Real links: shareable, the back button works.
import { idFromHash } from "../shared/hash-id.ts";

export type TasksRoute = { kind: "tasks" } | { kind: "objectives"; spaceId: string | undefined };

export function tasksRouteFromHash(hash: string): TasksRoute | undefined {
  if (hash === "#/tasks") return { kind: "tasks" };
  if (hash === "#/objectives") return { kind: "objectives", spaceId: undefined };
  const spaceId = idFromHash(hash, "objectives");
  return spaceId === undefined ? undefined : { kind: "objectives", spaceId };
}

export const TASKS_HASH = "#/tasks";
export const objectivesHash = (spaceId?: string): string => (spaceId === undefined ? "#/objectives" : `#/objectives/${encodeURIComponent(spaceId)}`);
