// A fold result in a canonical, JSON-comparable form (tasks sorted by id, the maximum clock, the
// skipped events): what the acceptance test compares between clients, bots and this widget.
import type { Task, TaskFoldResult } from "../../../appservices/protocol/src/task-fold.ts";

export interface FoldSnapshot {
  tasks: Task[];
  maxClock: number;
  skipped: { eventId: string; reason: string }[];
}

export function foldSnapshot(r: TaskFoldResult): FoldSnapshot {
  const tasks = [...r.tasks.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return JSON.parse(JSON.stringify({ tasks, maxClock: r.maxClock, skipped: r.skipped })) as FoldSnapshot;
}
