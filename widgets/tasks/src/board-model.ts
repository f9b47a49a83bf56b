// The board as the agent sees it, from the fold's tasks and the list's columns: which column each
// task is in, its order there, filters, and what a move must send. Pure: no widget API, no DOM.
import type { Task } from "../../../appservices/protocol/src/task-fold.ts";
import type { TaskDate } from "../../../appservices/protocol/src/dates.ts";
import type { PartialTaskFields } from "../../../appservices/protocol/src/task-fields.ts";
import { DEFAULT_COLUMNS, type BoardColumn } from "../../../appservices/protocol/src/tasks-state.ts";
import { rankBetween, ranksAfter } from "./rank.ts";

export interface BoardColumnView {
  column: BoardColumn;
  tasks: Task[];
}

export type DueFilter = "all" | "overdue" | "week" | "none";

export interface BoardFilters {
  /** user id, or "" for everyone */
  assignee: string;
  /** label, or "" for any */
  label: string;
  due: DueFilter;
}

export const NO_FILTERS: BoardFilters = { assignee: "", label: "", due: "all" };

/** The column a task shows in: its `column` if the list has it, else the first whose status matches, else the first. */
export function columnOf(task: Task, columns: readonly BoardColumn[]): string {
  if (task.column !== null && columns.some((c) => c.id === task.column)) return task.column;
  return (columns.find((c) => c.status === task.status) ?? columns[0])?.id ?? "";
}

/** Within a column: ranked tasks first by rank (code-unit order), then the others by creation. */
export function compareInColumn(a: Task, b: Task): number {
  if (a.rank !== null && b.rank !== null && a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if ((a.rank === null) !== (b.rank === null)) return a.rank === null ? 1 : -1;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The calendar day of a task date ("YYYYMMDD"), compared as text. */
export function dueDay(due: TaskDate | null): string | undefined {
  if (due === null) return undefined;
  return ("date" in due ? due.date : due.value).slice(0, 8);
}

/** `today` as YYYYMMDD (the agent's local day: the widget passes it in). */
export function matchesFilters(task: Task, f: BoardFilters, today: string, inAWeek: string): boolean {
  if (f.assignee !== "" && !task.assignees.includes(f.assignee)) return false;
  if (f.label !== "" && !task.labels.includes(f.label)) return false;
  const day = dueDay(task.due);
  switch (f.due) {
    case "overdue": return day !== undefined && day < today && task.status !== "done" && task.status !== "cancelled";
    case "week": return day !== undefined && day >= today && day <= inAWeek;
    case "none": return day === undefined;
    default: return true;
  }
}

export function buildColumns(tasks: Iterable<Task>, columns: readonly BoardColumn[] | undefined, filters: BoardFilters = NO_FILTERS, today = "", inAWeek = ""): BoardColumnView[] {
  const cols = columns !== undefined && columns.length > 0 ? columns : DEFAULT_COLUMNS;
  const views = cols.map((column) => ({ column, tasks: [] as Task[] }));
  const byId = new Map(views.map((v) => [v.column.id, v]));
  for (const t of tasks) {
    if (t.deleted || !matchesFilters(t, filters, today, inAWeek)) continue;
    byId.get(columnOf(t, cols))?.tasks.push(t);
  }
  for (const v of views) v.tasks.sort(compareInColumn);
  return views;
}

/** Who and what the filters offer: assignees and labels present on the board, sorted. */
export function filterChoices(tasks: Iterable<Task>): { assignees: string[]; labels: string[] } {
  const a = new Set<string>();
  const l = new Set<string>();
  for (const t of tasks) {
    if (t.deleted) continue;
    for (const x of t.assignees) a.add(x);
    for (const x of t.labels) l.add(x);
  }
  return { assignees: [...a].sort(), labels: [...l].sort() };
}

export interface PlannedUpdate {
  taskId: string;
  set: PartialTaskFields;
}

/**
 * What moving `taskId` to position `index` of column `toColumn` sends: one update for the task
 * (column, rank, and the column's status if it has one), plus ranks for the unranked tasks it
 * lands after when they have none yet (a fresh board), so the order is the same for everyone.
 * `columnTasks` is the target column's FULL list (unfiltered), in board order; `index` is the
 * task's place among the column's OTHER tasks (0 = first).
 */
export function planMove(task: Task, toColumn: BoardColumn, columnTasks: readonly Task[], index: number): PlannedUpdate[] {
  const others = columnTasks.filter((t) => t.id !== task.id);
  const at = Math.max(0, Math.min(index, others.length));
  const out: PlannedUpdate[] = [];
  const prev = others[at - 1];
  const next = others[at];
  let lower = prev?.rank ?? null;
  if (prev !== undefined && prev.rank === null) {
    // The tasks before the target place have no rank yet: rank them, in their current order, after
    // the last ranked task.
    const unranked = others.slice(0, at).filter((t) => t.rank === null);
    const lastRanked = others.slice(0, at).filter((t) => t.rank !== null).at(-1)?.rank ?? null;
    const ranks = ranksAfter(lastRanked, unranked.length);
    unranked.forEach((t, i) => {
      const r = ranks[i];
      if (r !== undefined) out.push({ taskId: t.id, set: { rank: r } });
    });
    lower = ranks.at(-1) ?? lastRanked;
  }
  const upper = next !== undefined && next.rank !== null && out.length === 0 ? next.rank : null;
  const rank = rankBetween(lower, upper);
  if (rank === undefined) {
    // No room (foreign or equal ranks): re-rank the whole column in its new order.
    const order = [...others.slice(0, at), task, ...others.slice(at)];
    const ranks = ranksAfter(null, order.length);
    return order.map((t, i) => ({ taskId: t.id, set: t.id === task.id ? moveFields(task, toColumn, ranks[i] ?? null) : { rank: ranks[i] ?? null } }));
  }
  out.push({ taskId: task.id, set: moveFields(task, toColumn, rank ?? null) });
  return out;
}

function moveFields(task: Task, to: BoardColumn, rank: string | null): PartialTaskFields {
  const set: PartialTaskFields = { column: to.id, rank };
  if (to.status !== undefined && to.status !== task.status) set.status = to.status;
  return set;
}

/**
 * Keyboard moves: the target column and place (among that column's other VISIBLE tasks) for
 * left/right/up/down from where the task is; undefined at an edge.
 */
export function keyboardTarget(views: readonly BoardColumnView[], taskId: string, dir: "left" | "right" | "up" | "down"): { column: BoardColumn; index: number } | undefined {
  const ci = views.findIndex((v) => v.tasks.some((t) => t.id === taskId));
  if (ci < 0) return undefined;
  const view = views[ci]!;
  const ti = view.tasks.findIndex((t) => t.id === taskId);
  if (dir === "up") return ti > 0 ? { column: view.column, index: ti - 1 } : undefined;
  if (dir === "down") return ti < view.tasks.length - 1 ? { column: view.column, index: ti + 1 } : undefined;
  const target = views[dir === "left" ? ci - 1 : ci + 1];
  return target === undefined ? undefined : { column: target.column, index: Math.min(ti, target.tasks.length) };
}

/**
 * A place among the visible (filtered) other tasks → the same place among all other tasks of the
 * column: just before the visible task that was there, or just after the last visible one.
 */
export function toFullIndex(visible: readonly Task[], full: readonly Task[], movedId: string, visibleIndex: number): number {
  const vis = visible.filter((t) => t.id !== movedId);
  const all = full.filter((t) => t.id !== movedId);
  const before = vis[visibleIndex];
  if (before !== undefined) return Math.max(0, all.findIndex((t) => t.id === before.id));
  const last = vis.at(-1);
  return last === undefined ? all.length : all.findIndex((t) => t.id === last.id) + 1;
}
