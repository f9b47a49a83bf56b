// The daily digest and "my tasks", pure: which local day a digest is due for (08:00 in the
// agent's zone, DST included: the wall clock is read in the zone at each check), which of the
// agent's tasks it lists (due-groups.ts, the same rules as the web client's "Mes tâches"), and the
// French (then English) wording. What was sent is recorded in the digest message itself
// (`fr.entente.tasks.digest: {date}`), so the DM room is the record, not the bot's memory.
import type { Task } from "../../protocol/src/task-fold.ts";
import { DUE_GROUPS, isOpenTask, placeDue, type DueGroup } from "./due-groups.ts";
import { icalDate, wallTimeAt } from "./local-time.ts";
import { dueText, statusText } from "./task-text.ts";
import { say, type BotLang } from "../../kit/src/commands.ts";

export const DIGEST_HOUR = 8;
/** Content key of a digest message: {date: "YYYYMMDD"} (the agent's local day it was for). */
export const DIGEST_KEY = "fr.entente.tasks.digest";

/** The agent's local day (YYYYMMDD) once it is 08:00 or later there; undefined before 08:00. */
export function digestDay(now: number, tz: string): string | undefined {
  const w = wallTimeAt(now, tz);
  return w.hour >= DIGEST_HOUR ? icalDate(w) : undefined;
}

/** The day a digest message records, if the content is one. */
export function parseDigestRecord(content: Record<string, unknown>): string | undefined {
  const r = content[DIGEST_KEY];
  if (typeof r !== "object" || r === null) return undefined;
  const date = (r as Record<string, unknown>)["date"];
  return typeof date === "string" && /^\d{8}$/.test(date) ? date : undefined;
}

export interface RoomTaskSet {
  roomId: string;
  roomName: string;
  tasks: Iterable<Task>;
}

export interface PlacedTask {
  roomName: string;
  task: Task;
  group: DueGroup;
  dueAt: number | undefined;
}

/** The agent's open tasks across rooms, each in its due group, sorted by due date then title. */
export function agentTasks(rooms: Iterable<RoomTaskSet>, userId: string, now: number, tz: string): PlacedTask[] {
  const out: PlacedTask[] = [];
  for (const r of rooms) {
    for (const task of r.tasks) {
      if (!isOpenTask(task) || !task.assignees.includes(userId)) continue;
      const { group, dueAt } = placeDue(task.due, now, tz);
      out.push({ roomName: r.roomName, task, group, dueAt });
    }
  }
  return out.sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.task.title.localeCompare(b.task.title, "fr") || (a.task.id < b.task.id ? -1 : 1));
}

const GROUP_FR: Record<DueGroup, string> = { overdue: "En retard", today: "Aujourd'hui", week: "Cette semaine", later: "Plus tard", none: "Sans échéance" };
const GROUP_EN: Record<DueGroup, string> = { overdue: "Overdue", today: "Today", week: "This week", later: "Later", none: "No due date" };
/** A due group's heading: in the command's language, else « En retard (overdue) ». */
const groupWords = (g: DueGroup, lang?: BotLang): string => (lang === "en" ? GROUP_EN[g] : lang === "fr" ? GROUP_FR[g] : `${GROUP_FR[g]} (${GROUP_EN[g].toLowerCase()})`);

const line = (t: PlacedTask, lang?: BotLang): string => `• ${t.task.title} — ${t.roomName}${t.task.due ? ` — ${lang === "en" ? "due" : "échéance"} ${dueText(t.task.due)}` : ""}${t.task.status !== "todo" ? ` [${statusText(t.task.status, lang)}]` : ""}`;

function grouped(tasks: readonly PlacedTask[], groups: readonly DueGroup[], lang?: BotLang): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const these = tasks.filter((t) => t.group === g);
    if (these.length > 0) out.push(`${groupWords(g, lang)} — ${these.length}${lang === "en" ? ":" : " :"}`, ...these.map((t) => line(t, lang)));
  }
  return out;
}

/** The 08:00 message: overdue and due today, across rooms. */
export function digestText(tasks: readonly PlacedTask[], day: string): string {
  const date = `${day.slice(6, 8)}/${day.slice(4, 6)}/${day.slice(0, 4)}`;
  const urgent = tasks.filter((t) => t.group === "overdue" || t.group === "today");
  if (urgent.length === 0) return `☀️ Résumé du ${date} : rien en retard ni pour aujourd'hui. (Daily digest: nothing overdue or due today.)`;
  return [`☀️ Résumé du ${date} — vos tâches en retard et du jour (your overdue tasks and today's) :`, ...grouped(urgent, ["overdue", "today"])].join("\n");
}

/** The answer to !mes-tâches / !my-tasks: every open task of the agent, by due group, in the command's language. */
export function myTasksText(tasks: readonly PlacedTask[], hiddenElsewhere = 0, lang?: BotLang): string {
  const heading = lang === "en" ? `Your open tasks (${tasks.length}):` : `Vos tâches ouvertes (${tasks.length}) :`;
  const lines = tasks.length === 0 ? [say(lang, "Aucune tâche ouverte ne vous est assignée ici.", "No open task is assigned to you here.")] : [heading, ...grouped(tasks, DUE_GROUPS, lang)];
  if (hiddenElsewhere > 0) {
    lines.push(say(lang, `… et ${hiddenElsewhere} dans d'autres salons : tapez !mes-tâches dans notre conversation privée (ouverte par !résumé activer) pour les voir.`,
      `… and ${hiddenElsewhere} in other rooms: type !my-tasks in our private conversation (opened by !digest on) to see them.`));
  }
  return lines.join("\n");
}
