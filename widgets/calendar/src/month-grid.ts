// The month view's grid (weeks from Monday, six rows so the layout never jumps) and the agenda's
// list of days: occurrences assigned to each local day of the agent's zone they touch.
import type { Occurrence } from "./occurrences.ts";
import { addDays, dayStart, mondayOf, parseWall } from "./zoned-time.ts";

export interface GridDay {
  day: string;
  inMonth: boolean;
  occurrences: Occurrence[];
}

export function monthFirstDay(month: string): string {
  return `${month.slice(0, 6)}01`;
}

/** First day shown and the day after the last shown for the month containing `day`. */
export function monthSpan(day: string): { from: string; to: string } {
  const from = mondayOf(monthFirstDay(day));
  return { from, to: addDays(from, 42) };
}

export function addMonths(day: string, n: number): string {
  const w = parseWall(day);
  const d = new Date(Date.UTC(w.year, w.month - 1 + n, 1));
  return `${String(d.getUTCFullYear()).padStart(4, "0")}${String(d.getUTCMonth() + 1).padStart(2, "0")}01`;
}

/** Does the occurrence touch the local day `day` that runs from instant `start` to `end`? */
function touchesDay(o: Occurrence, day: string, start: number, end: number): boolean {
  if (o.allDay) return (o.startDay ?? "") <= day && (o.endDay ?? "") > day;
  return o.start < end && (o.end > start || (o.end === o.start && o.start >= start));
}

/** Does the occurrence touch local day `day` in `tz`? */
export function onDay(o: Occurrence, day: string, tz: string): boolean {
  return touchesDay(o, day, dayStart(tz, day), dayStart(tz, addDays(day, 1)));
}

/** Within one day: all-day first, then by start (an event from the night before comes first). */
export function forDay(occurrences: readonly Occurrence[], day: string, tz: string): Occurrence[] {
  const start = dayStart(tz, day);
  const end = dayStart(tz, addDays(day, 1));
  return occurrences.filter((o) => touchesDay(o, day, start, end)).sort((a, b) => Number(b.allDay) - Number(a.allDay) || a.start - b.start);
}

export function monthGrid(occurrences: readonly Occurrence[], day: string, tz: string): GridDay[][] {
  const { from } = monthSpan(day);
  const month = day.slice(0, 6);
  const weeks: GridDay[][] = [];
  for (let w = 0; w < 6; w++) {
    const row: GridDay[] = [];
    for (let d = 0; d < 7; d++) {
      const date = addDays(from, w * 7 + d);
      row.push({ day: date, inMonth: date.slice(0, 6) === month, occurrences: forDay(occurrences, date, tz) });
    }
    weeks.push(row);
  }
  return weeks;
}

export interface AgendaDay {
  day: string;
  occurrences: Occurrence[];
}

/** Days of [from, to) that have something, in order (an occurrence over several days is listed on each). */
export function agendaDays(occurrences: readonly Occurrence[], from: string, to: string, tz: string): AgendaDay[] {
  const out: AgendaDay[] = [];
  for (let day = from; day < to; day = addDays(day, 1)) {
    const list = forDay(occurrences, day, tz);
    if (list.length > 0) out.push({ day, occurrences: list });
  }
  return out;
}
