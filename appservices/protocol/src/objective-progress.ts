// Objective progress: the latest check-in of each key result, scaled between its start and its
// target, combined with the done share of the tasks linked to the objective (their `objective`
// field). Pure arithmetic over fold results, so the bot, the dashboard and the client agree.
import type { Objective } from "./objective-fold.ts";
import type { Task } from "./task-fold.ts";

export interface KeyResultProgress {
  id: string;
  /** latest checked-in value, or the start value when there is none */
  value: number;
  /** 0..1 */
  progress: number;
}

export interface ObjectiveProgress {
  keyResults: KeyResultProgress[];
  /** mean of the key results' progress; null without key results */
  keyResultShare: number | null;
  linkedTasks: number;
  doneTasks: number;
  /** done / linked (cancelled and deleted tasks do not count); null without linked tasks */
  taskShare: number | null;
  /** mean of the two shares that exist (each weighs half when both do); null when neither exists */
  overall: number | null;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

export function keyResultProgress(start: number, target: number, value: number): number {
  // A target equal to the start is a yes/no result: reached or not.
  if (target === start) return value >= target ? 1 : 0;
  return clamp01((value - start) / (target - start));
}

export function objectiveProgress(objective: Objective, tasks: Iterable<Task>): ObjectiveProgress {
  const keyResults = objective.keyResults.map((kr) => {
    const value = objective.current[kr.id]?.value ?? kr.start;
    return { id: kr.id, value, progress: keyResultProgress(kr.start, kr.target, value) };
  });
  const keyResultShare = keyResults.length === 0 ? null : keyResults.reduce((s, k) => s + k.progress, 0) / keyResults.length;
  let linkedTasks = 0;
  let doneTasks = 0;
  for (const t of tasks) {
    if (t.objective !== objective.id || t.deleted || t.status === "cancelled") continue;
    linkedTasks += 1;
    if (t.status === "done") doneTasks += 1;
  }
  const taskShare = linkedTasks === 0 ? null : doneTasks / linkedTasks;
  const shares = [keyResultShare, taskShare].filter((s): s is number => s !== null);
  const overall = shares.length === 0 ? null : shares.reduce((a, b) => a + b, 0) / shares.length;
  return { keyResults, keyResultShare, linkedTasks, doneTasks, taskShare, overall };
}
