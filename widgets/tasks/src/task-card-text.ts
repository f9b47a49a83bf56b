// Plain-text readings of a task for cards and screen readers (pure).
import { formatTaskDateFr, type TaskDate } from "../../../appservices/protocol/src/dates.ts";
import type { TaskStatus } from "../../../appservices/protocol/src/task-fields.ts";
import { isUserId } from "../../../appservices/protocol/src/parse.ts";
import type { MessageKey } from "./messages.ts";

export const STATUS_KEYS: Record<TaskStatus, MessageKey> = {
  todo: "statusTodo", doing: "statusDoing", blocked: "statusBlocked", done: "statusDone", cancelled: "statusCancelled",
};

export function dateText(d: TaskDate | null): string {
  return d === null ? "" : formatTaskDateFr(d);
}

/** "2026-12-24" / "2026-12-24T18:00" from a form input → the protocol's date shapes. */
export function dateFromInput(value: string, tzid: string): TaskDate | null {
  const v = value.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return { date: `${m[1]}${m[2]}${m[3]}` };
  m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (m) return { tzid, value: `${m[1]}${m[2]}${m[3]}T${m[4]}${m[5]}00` };
  return null;
}

/** The form input value for a protocol date (date-only → "YYYY-MM-DD"). */
export function dateToInput(d: TaskDate | null): string {
  if (d === null) return "";
  const s = "date" in d ? d.date : d.value;
  const day = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  return "date" in d ? day : `${day}T${s.slice(9, 11)}:${s.slice(11, 13)}`;
}

/** Comma-separated Matrix ids → list, or the first invalid one. */
export function parseIdList(text: string): { ids: string[] } | { invalid: string } {
  const ids = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = ids.find((id) => !isUserId(id));
  return bad === undefined ? { ids: [...new Set(ids)] } : { invalid: bad };
}

export const parseLabels = (text: string): string[] => [...new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== "" && s.length <= 100))];

/** YYYYMMDD of a local day, and of the day a week later (for the due filter). */
export function localDays(now: Date): { today: string; inAWeek: string } {
  const f = (d: Date): string => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}`;
  const later = new Date(now);
  later.setDate(later.getDate() + 7);
  return { today: f(now), inAWeek: f(later) };
}

/** The priorities offered (RFC 5545 PRIORITY: 1 highest … 9 lowest, 0 undefined): value and words. */
export const PRIORITIES: ReadonlyArray<readonly [number, MessageKey]> = [[0, "priorityNone"], [1, "priorityHigh"], [5, "priorityMedium"], [9, "priorityLow"]];

/** The offered value a task's priority falls under (RFC 5545: 1–4 high, 5 medium, 6–9 low). */
export function priorityChoice(p: number): number {
  if (p <= 0) return 0;
  return p <= 4 ? 1 : p === 5 ? 5 : 9;
}
