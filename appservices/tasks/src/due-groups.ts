// Which "Mes tâches" group a due date falls in, seen from the agent's time zone (m.tz, Europe/Paris
// by default): en retard, aujourd'hui, cette semaine (through Sunday), plus tard, sans échéance.
// A timed due date ({tzid, value}) is an instant in its own zone: overdue once that instant has
// passed, otherwise grouped by the agent's calendar day it falls on. An all-day due date ({date})
// is a calendar day: overdue from the next day. Pure (Intl time-zone data only).
import type { TaskDate } from "../../protocol/src/dates.ts";
import type { Task } from "../../protocol/src/task-fold.ts";
import { addDays, icalDate, instantOf, wallTimeAt, wallTimeFromIcal } from "./local-time.ts";

/** The tasks these groups list: not deleted, not done, not cancelled. */
export const isOpenTask = (t: Task): boolean => !t.deleted && t.status !== "done" && t.status !== "cancelled";

export const DUE_GROUPS = ["overdue", "today", "week", "later", "none"] as const;
export type DueGroup = (typeof DUE_GROUPS)[number];

export interface DuePlacement {
  group: DueGroup;
  /** Sort key: the due instant (an all-day date counts from 00:00 in the agent's zone); undefined without a due date. */
  dueAt: number | undefined;
}

/** YYYYMMDD of instant `ms` in `tz`. */
export const localDay = (ms: number, tz: string): string => icalDate(wallTimeAt(ms, tz));

/** The Sunday ending the agent's current week (Monday to Sunday), as YYYYMMDD. */
export function endOfWeek(now: number, tz: string): string {
  const w = wallTimeAt(now, tz);
  const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay(); // 0 = Sunday
  return icalDate(addDays(w, weekday === 0 ? 0 : 7 - weekday));
}

function safeInstant(value: string, tz: string): number | undefined {
  const w = wallTimeFromIcal(value);
  if (w === undefined) return undefined;
  try {
    return instantOf(w, tz);
  } catch {
    return undefined; // a zone this runtime does not know (from another client)
  }
}

export function placeDue(due: TaskDate | null, now: number, tz: string): DuePlacement {
  if (due === null) return { group: "none", dueAt: undefined };
  const today = localDay(now, tz);
  const sunday = endOfWeek(now, tz);
  let day: string;
  let dueAt: number | undefined;
  if ("date" in due) {
    day = due.date;
    dueAt = safeInstant(due.date, tz);
    if (day < today) return { group: "overdue", dueAt };
  } else {
    // Unknown zone: read the wall time in the agent's zone rather than drop the task.
    dueAt = safeInstant(due.value, due.tzid) ?? safeInstant(due.value, tz);
    if (dueAt === undefined) return { group: "none", dueAt: undefined };
    if (dueAt < now) return { group: "overdue", dueAt };
    day = localDay(dueAt, tz);
  }
  if (day === today) return { group: "today", dueAt };
  if (day <= sunday) return { group: "week", dueAt };
  return { group: "later", dueAt };
}
