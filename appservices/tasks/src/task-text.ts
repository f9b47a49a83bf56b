// How the bot words tasks in its answers: in the command's language, or French with English in
// brackets where it helps when there is none (reminders).
import type { Task } from "../../protocol/src/task-fold.ts";
import { say, type BotLang } from "../../kit/src/commands.ts";
import type { TaskDate } from "../../protocol/src/dates.ts";
import type { TaskStatus } from "../../protocol/src/task-fields.ts";
import { formatTaskDateFr } from "../../protocol/src/dates.ts";

export const dueText = (due: TaskDate): string => ("date" in due ? formatTaskDateFr(due) : `${formatTaskDateFr(due)} (${due.tzid})`);

const STATUS_FR: Record<TaskStatus, string> = { todo: "à faire", doing: "en cours", blocked: "bloquée", done: "faite", cancelled: "annulée" };
const STATUS_EN: Record<TaskStatus, string> = { todo: "to do", doing: "in progress", blocked: "blocked", done: "done", cancelled: "cancelled" };
/** A task's status in the answer's language (French without one), as agents say it, not the protocol's code. */
export const statusText = (s: TaskStatus, lang?: BotLang): string => (lang === "en" ? STATUS_EN : STATUS_FR)[s];

export function taskLine(t: Task, lang?: BotLang): string {
  let line = t.title;
  if (t.assignees.length > 0) line += ` — ${t.assignees.join(", ")}`;
  if (t.due) line += ` — ${lang === "en" ? "due" : "échéance"} ${dueText(t.due)}`;
  if (t.status !== "todo") line += ` [${statusText(t.status, lang)}]`;
  return line;
}

/** Open tasks in a stable order (creation time, then id): the numbers `!fait N` refers to. */
export function openTasks(tasks: Iterable<Task>): Task[] {
  return [...tasks]
    .filter((t) => !t.deleted && t.status !== "done" && t.status !== "cancelled")
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function listText(tasks: Iterable<Task>, lang?: BotLang): string {
  const open = openTasks(tasks);
  if (open.length === 0) return say(lang, "Aucune tâche ouverte.", "No open tasks.");
  const heading = lang === "en" ? `Open tasks (${open.length}):` : `Tâches ouvertes (${open.length}) :`;
  return [heading, ...open.map((t, i) => `${i + 1}. ${taskLine(t, lang)}`)].join("\n");
}

export function reminderText(t: Task): string {
  const who = t.assignees.length > 0 ? `${t.assignees.join(", ")} : ` : "";
  return `⏰ ${who}rappel, « ${t.title} » arrive à échéance le ${t.due ? dueText(t.due) : "?"}. (Reminder: due ${t.due ? dueText(t.due) : "?"}.)`;
}
