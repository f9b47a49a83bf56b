// Which reminders are due, pure. A task's `reminders` ([{before: "P1D"}], RFC 5545 durations) are
// counted back from its due date in the due date's own zone (tzid), with days as calendar days, so
// "the day before at 10:00" stays 10:00 across a DST change. A date-only due date (all day) is
// reminded relative to 09:00 that day in the bot's default zone (REMINDER_HOUR).
//
// What was already sent is known from the room, not from the bot's memory: each reminder is an
// event in the task's thread carrying `fr.entente.task.reminder` {task, reminder}, and the reminder
// id includes the due date, so moving the due date arms the reminders again.
import type { Task } from "../../protocol/src/task-fold.ts";
import type { TaskDate } from "../../protocol/src/dates.ts";
import { instantBefore, instantOf, wallTimeFromIcal, type WallTime } from "./local-time.ts";

export const REMINDER_HOUR = 9;
/** Content key of a reminder message (our own record, in clear inside the encrypted content). */
export const REMINDER_KEY = "fr.entente.task.reminder";

export interface PlannedReminder {
  taskId: string;
  /** "<before>@<due>": unique per task and due date */
  reminderId: string;
  at: number;
  dueAt: number;
}

const zonedDue = (due: TaskDate, defaultZone: string): { wall: WallTime; tz: string } | undefined => {
  if ("date" in due) {
    const w = wallTimeFromIcal(due.date);
    return w ? { wall: { ...w, hour: REMINDER_HOUR }, tz: defaultZone } : undefined;
  }
  const w = wallTimeFromIcal(due.value);
  return w ? { wall: w, tz: due.tzid } : undefined;
};

export const dueKey = (due: TaskDate): string => ("date" in due ? due.date : `${due.value}/${due.tzid}`);

/** The reminders of an open task with a due date (done, cancelled and deleted tasks have none). */
export function plannedReminders(task: Task, defaultZone: string): PlannedReminder[] {
  if (task.deleted || task.status === "done" || task.status === "cancelled" || task.due === null) return [];
  const z = zonedDue(task.due, defaultZone);
  if (!z) return [];
  let dueAt: number;
  try {
    dueAt = instantOf(z.wall, z.tz);
  } catch {
    return []; // an unknown tzid from another client: nothing to compute from
  }
  const out: PlannedReminder[] = [];
  for (const r of task.reminders) {
    const at = instantBefore(z.wall, z.tz, r.before);
    if (at !== undefined) out.push({ taskId: task.id, reminderId: `${r.before}@${dueKey(task.due)}`, at, dueAt });
  }
  return out;
}

/**
 * The reminders to send now: their time has come, they were not sent (`sent` holds
 * "<taskId> <reminderId>"), and the due date itself has not passed — a bot that was down at the
 * reminder's time still sends it late, but never after the deadline.
 */
export function remindersDue(tasks: Iterable<Task>, sent: ReadonlySet<string>, now: number, defaultZone: string): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  for (const t of tasks) {
    for (const r of plannedReminders(t, defaultZone)) {
      if (r.at <= now && now < r.dueAt && !sent.has(sentKey(r.taskId, r.reminderId))) out.push(r);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The earliest reminder still to come after `now`, to arm a timer. */
export function nextReminderAt(tasks: Iterable<Task>, now: number, defaultZone: string): number | undefined {
  let next: number | undefined;
  for (const t of tasks) for (const r of plannedReminders(t, defaultZone)) if (r.at > now && (next === undefined || r.at < next)) next = r.at;
  return next;
}

export const sentKey = (taskId: string, reminderId: string): string => `${taskId} ${reminderId}`;

/** The {task, reminder} a reminder message records, if the content is one. */
export function parseReminderRecord(content: Record<string, unknown>): { task: string; reminder: string } | undefined {
  const r = content[REMINDER_KEY];
  if (typeof r !== "object" || r === null) return undefined;
  const { task, reminder } = r as Record<string, unknown>;
  return typeof task === "string" && typeof reminder === "string" ? { task, reminder } : undefined;
}
