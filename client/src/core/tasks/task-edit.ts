// The details form of a task in "Mes tâches": due date, priority and checklist ticks, turned into
// the one fr.entente.task.update they make (docs/tasks-protocol.md: `set` fields and checklist
// `done` by item id), and the fold's rule for who may send it. Pure: task and form in, change out.
import { parseTaskDate, userLevel, type RoomPowerLevels, type Task, type TaskDate, type TaskPermissions } from "./protocol.ts";

/** The priorities offered, as on the board (RFC 5545 PRIORITY: 1 highest … 9 lowest, 0 undefined). */
export const PRIORITY_CHOICES = [0, 1, 5, 9] as const;
export type PriorityChoice = (typeof PRIORITY_CHOICES)[number];

/** The offered value a task's priority falls under (RFC 5545: 1–4 high, 5 medium, 6–9 low). */
export function priorityChoice(p: number): PriorityChoice {
  if (p <= 0) return 0;
  return p <= 4 ? 1 : p === 5 ? 5 : 9;
}

/** What the form holds: `due` as an `<input type="date">` value ("" for none). */
export interface TaskForm {
  due: string;
  priority: number;
  /** checklist item id → ticked */
  done: Record<string, boolean>;
}

export interface TaskChange {
  set: { due?: TaskDate | null; priority?: number };
  /** checklist items whose tick changed */
  done: Record<string, boolean>;
}

/** The day of a due date as an `<input type="date">` value, "" when none. */
export function dueToInput(due: TaskDate | null): string {
  if (due === null) return "";
  const s = "date" in due ? due.date : due.value.slice(0, 8);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** The form as it opens for this task. */
export function formOf(task: Task): TaskForm {
  return { due: dueToInput(task.due), priority: priorityChoice(task.priority), done: Object.fromEntries(task.checklist.map((i) => [i.id, i.done])) };
}

/**
 * The new due date for a day picked in the form: none for "", the same time of day and zone when
 * the task had a time (a meeting at 18:00 Paris time moved to another day stays at 18:00), else
 * an all-day date. Undefined when the text is not an existing day.
 */
export function dueFromInput(text: string, before: TaskDate | null): TaskDate | null | undefined {
  if (text === "") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const day = `${m[1]}${m[2]}${m[3]}`;
  const due: TaskDate = before !== null && "tzid" in before ? { tzid: before.tzid, value: `${day}${before.value.slice(8)}` } : { date: day };
  return parseTaskDate(due, "due").ok ? due : undefined;
}

/**
 * The change the agent made: the fields where `form` differs from `baseline` (the form as it
 * opened, or as last rebased), never the fields the agent left alone — another agent may have
 * changed those meanwhile, and sending the opening value back would undo their change with a newer
 * clock. Empty `set` and `done` when nothing was touched; "badDue" for a day that does not exist.
 */
export function taskChange(task: Task, baseline: TaskForm, form: TaskForm): TaskChange | "badDue" {
  const set: TaskChange["set"] = {};
  if (form.due !== baseline.due) {
    const due = dueFromInput(form.due, task.due);
    if (due === undefined) return "badDue";
    set.due = due;
  }
  if (form.priority !== baseline.priority) set.priority = form.priority;
  const done: Record<string, boolean> = {};
  for (const item of task.checklist) {
    const d = form.done[item.id];
    const before = baseline.done[item.id] ?? item.done;
    if (d !== undefined && d !== before) done[item.id] = d;
  }
  return { set, done };
}

/**
 * An open form after the task changed (the list followed the rooms): what the agent touched stays
 * as typed, every untouched field takes the task's new value, and the new baseline is the task now.
 */
export function rebaseForm(baseline: TaskForm, form: TaskForm, now: TaskForm): { baseline: TaskForm; form: TaskForm } {
  const done: Record<string, boolean> = {};
  for (const [id, tick] of Object.entries(now.done)) {
    const typed = form.done[id];
    done[id] = typed !== undefined && typed !== (baseline.done[id] ?? tick) ? typed : tick;
  }
  return {
    baseline: now,
    form: { due: form.due !== baseline.due ? form.due : now.due, priority: form.priority !== baseline.priority ? form.priority : now.priority, done },
  };
}

export const isEmptyChange = (c: TaskChange): boolean => Object.keys(c.set).length === 0 && Object.keys(c.done).length === 0;

/** true, or the level the agent lacks: the fold's edit rule (edit level, or creator or assignee). */
export function mayEditTask(task: Pick<Task, "creator" | "assignees">, userId: string, levels: RoomPowerLevels, permissions: Pick<TaskPermissions, "edit">): true | { needed: number; mine: number } {
  const mine = userLevel(levels, userId);
  return mine >= permissions.edit || task.creator === userId || task.assignees.includes(userId) ? true : { needed: permissions.edit, mine };
}
