// How the bot words tasks in its answers (French first, English in brackets where it helps).
import type { Task } from "../../protocol/src/task-fold.ts";
import type { TaskDate } from "../../protocol/src/dates.ts";
import { formatTaskDateFr } from "../../protocol/src/dates.ts";

export const dueText = (due: TaskDate): string => ("date" in due ? formatTaskDateFr(due) : `${formatTaskDateFr(due)} (${due.tzid})`);

export function taskLine(t: Task): string {
  let line = t.title;
  if (t.assignees.length > 0) line += ` — ${t.assignees.join(", ")}`;
  if (t.due) line += ` — échéance ${dueText(t.due)}`;
  if (t.status !== "todo") line += ` [${t.status}]`;
  return line;
}

/** Open tasks in a stable order (creation time, then id): the numbers `!fait N` refers to. */
export function openTasks(tasks: Iterable<Task>): Task[] {
  return [...tasks]
    .filter((t) => !t.deleted && t.status !== "done" && t.status !== "cancelled")
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function listText(tasks: Iterable<Task>): string {
  const open = openTasks(tasks);
  if (open.length === 0) return "Aucune tâche ouverte. (No open tasks.)";
  return [`Tâches ouvertes (${open.length}) :`, ...open.map((t, i) => `${i + 1}. ${taskLine(t)}`)].join("\n");
}

export function reminderText(t: Task): string {
  const who = t.assignees.length > 0 ? `${t.assignees.join(", ")} : ` : "";
  return `⏰ ${who}rappel, « ${t.title} » arrive à échéance le ${t.due ? dueText(t.due) : "?"}. (Reminder: due ${t.due ? dueText(t.due) : "?"}.)`;
}
