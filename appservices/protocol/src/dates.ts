// Task dates in the two RFC 5545 shapes (DESIGN.md §6): a local date-time with its time zone
// (`DTSTART;TZID=Europe/Paris:20250314T180000` → {tzid, value}) or an all-day date
// (`DTSTART;VALUE=DATE:20250314` → {date}). Keeping the zone and the wall-clock time, not a UTC
// instant, is what lets a reminder stay at 18:00 Paris time across a DST change.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.3.4 and #section-3.3.5
import { fail, isObject, ok, type Parsed } from "./parse.ts";

export type TaskDate = { tzid: string; value: string } | { date: string };

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
// IANA names ("Europe/Paris", "America/Argentina/Buenos_Aires", "UTC"); existence is the reader's business.
const TZID = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether day `d` exists in month `m` of year `y` (proleptic Gregorian), by arithmetic: no Date
 * object per date (the fold reads every task's dates). Years 0–99 count as 1900–1999, as
 * `Date.UTC`, which this used to call, reads them: same answers (29 February 0000 is refused).
 */
function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const year = y >= 0 && y <= 99 ? 1900 + y : y;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/** The number written in decimal digits by s[from..to), or -1 if one of them is not a digit 0-9. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Whether `v` is YYYYMMDDTHHMMSS (`/^\d{8}T\d{6}$/`, ASCII digits) naming an existing day and a time of
 * day, read by arithmetic: no match array or substrings per date (the fold reads every task's dates).
 */
function validDateTime(v: string): boolean {
  if (v.length !== 15 || v.charCodeAt(8) !== 84 /* T */) return false;
  const y = digits(v, 0, 4);
  const mo = digits(v, 4, 6);
  const d = digits(v, 6, 8);
  const h = digits(v, 9, 11);
  const mi = digits(v, 11, 13);
  const sec = digits(v, 13, 15);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return false;
  return validDay(y, mo, d) && h <= 23 && mi <= 59 && sec <= 60;
}

export function parseTaskDate(value: unknown, what: string): Parsed<TaskDate> {
  if (!isObject(value)) return fail(`${what} must be an object`);
  if ("date" in value) {
    const m = typeof value["date"] === "string" ? DATE.exec(value["date"]) : null;
    if (!m || !validDay(Number(m[1]), Number(m[2]), Number(m[3]))) return fail(`${what}.date must be YYYYMMDD`);
    return ok({ date: value["date"] as string });
  }
  const { tzid, value: v } = value;
  if (typeof tzid !== "string" || tzid.length > 64 || !TZID.test(tzid)) return fail(`${what}.tzid must be a time zone name`);
  if (typeof v !== "string" || !validDateTime(v)) return fail(`${what}.value must be YYYYMMDDTHHMMSS`);
  return ok({ tzid, value: v });
}

/** French reading of a date for body fallbacks: "14/03/2025" or "14/03/2025 18:00". */
export function formatTaskDateFr(date: TaskDate): string {
  const s = "date" in date ? date.date : date.value;
  const day = `${s.slice(6, 8)}/${s.slice(4, 6)}/${s.slice(0, 4)}`;
  return "date" in date ? day : `${day} ${s.slice(9, 11)}:${s.slice(11, 13)}`;
}
