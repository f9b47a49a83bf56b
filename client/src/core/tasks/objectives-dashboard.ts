// The objectives dashboard of a working group (a space): for each room of the space with an
// objectives list, its objectives with key results and progress (the protocol's
// objectiveProgress: latest check-ins combined with the done share of linked tasks), the tasks
// linked to each objective, and the space's overdue tasks. Pure: folded rooms in, model out.
import type { KeyResult } from "./protocol.ts";
import type { Objective } from "./protocol.ts";
import { objectiveProgress, type ObjectiveProgress } from "./protocol.ts";
import type { Task } from "./protocol.ts";
import { placeDue } from "./due-groups.ts";
import { isOpenTask } from "./my-tasks.ts";

export interface RoomObjectives {
  roomId: string;
  roomName: string;
  /** folded objectives (empty when the room has no objectives list) */
  objectives: Iterable<Objective>;
  /** folded tasks (empty when the room has no task list) */
  tasks: Iterable<Task>;
}

export interface KeyResultRow {
  keyResult: KeyResult;
  value: number;
  /** 0..1 */
  progress: number;
}

export interface ObjectiveCard {
  roomId: string;
  roomName: string;
  objective: Objective;
  progress: ObjectiveProgress;
  keyResults: KeyResultRow[];
  /** tasks whose `objective` is this one, not deleted (cancelled ones shown, not counted) */
  linkedTasks: { roomId: string; task: Task }[];
}

export interface OverdueTask {
  roomId: string;
  roomName: string;
  task: Task;
  dueAt: number | undefined;
}

export interface Dashboard {
  objectives: ObjectiveCard[];
  overdue: OverdueTask[];
}

export function buildDashboard(rooms: readonly RoomObjectives[], now: number, tz: string): Dashboard {
  // Event ids are unique across rooms: a task of one room of the space may serve an objective of another.
  const allTasks: { roomId: string; roomName: string; task: Task }[] = [];
  for (const r of rooms) for (const task of r.tasks) allTasks.push({ roomId: r.roomId, roomName: r.roomName, task });
  const objectives: ObjectiveCard[] = [];
  for (const r of rooms) {
    for (const objective of r.objectives) {
      if (objective.deleted) continue;
      const progress = objectiveProgress(objective, allTasks.map((t) => t.task));
      const keyResults = objective.keyResults.map((keyResult, i) => ({ keyResult, value: progress.keyResults[i]?.value ?? keyResult.start, progress: progress.keyResults[i]?.progress ?? 0 }));
      const linkedTasks = allTasks.filter((t) => t.task.objective === objective.id && !t.task.deleted).map(({ roomId, task }) => ({ roomId, task }));
      objectives.push({ roomId: r.roomId, roomName: r.roomName, objective, progress, keyResults, linkedTasks });
    }
  }
  objectives.sort((a, b) => a.roomName.localeCompare(b.roomName, "fr") || a.objective.createdAt - b.objective.createdAt || (a.objective.id < b.objective.id ? -1 : 1));
  const overdue: OverdueTask[] = [];
  for (const t of allTasks) {
    if (!isOpenTask(t.task)) continue;
    const placed = placeDue(t.task.due, now, tz);
    if (placed.group === "overdue") overdue.push({ ...t, dueAt: placed.dueAt });
  }
  overdue.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || (a.task.id < b.task.id ? -1 : 1));
  return { objectives, overdue };
}
