// "Mes tâches": the open tasks assigned to the agent across every room with a task list, each
// room's list folded with the protocol's fold (tasks-sdk.ts), grouped by due date (due-groups.ts).
// Pure: room lists in, groups out.
import type { Task } from "./protocol.ts";
import { DUE_GROUPS, isOpenTask, placeDue, type DueGroup } from "./due-groups.ts";

export interface RoomTaskList {
  roomId: string;
  roomName: string;
  tasks: Iterable<Task>;
}

export interface MyTask {
  roomId: string;
  roomName: string;
  task: Task;
  group: DueGroup;
  dueAt: number | undefined;
}

export interface MyTaskGroup {
  group: DueGroup;
  tasks: MyTask[];
}

export { isOpenTask };

/** The agent's open tasks, placed in their due group. */
export function collectMyTasks(lists: Iterable<RoomTaskList>, userId: string, now: number, tz: string): MyTask[] {
  const out: MyTask[] = [];
  for (const l of lists) {
    for (const task of l.tasks) {
      if (!isOpenTask(task) || !task.assignees.includes(userId)) continue;
      const { group, dueAt } = placeDue(task.due, now, tz);
      out.push({ roomId: l.roomId, roomName: l.roomName, task, group, dueAt });
    }
  }
  return out;
}

// Priority 0 is "undefined" in RFC 5545: after 1 (highest) … 9 (lowest).
const priorityKey = (p: number): number => (p === 0 ? 10 : p);

function compare(a: MyTask, b: MyTask): number {
  if (a.dueAt !== b.dueAt) return (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity);
  const p = priorityKey(a.task.priority) - priorityKey(b.task.priority);
  if (p !== 0) return p;
  const t = a.task.title.localeCompare(b.task.title, "fr");
  if (t !== 0) return t;
  return a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0;
}

/** All five groups in display order (empty ones included), each sorted by due date, priority, title. */
export function groupMyTasks(tasks: readonly MyTask[]): MyTaskGroup[] {
  return DUE_GROUPS.map((group) => ({ group, tasks: tasks.filter((t) => t.group === group).sort(compare) }));
}
