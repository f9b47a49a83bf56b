// Wall clocks and instants in named zones, from the runtime's Intl (ICU's IANA data; no bundled
// database). Calendar dates are wall-clock values plus a zone (RFC 5545 `{tzid, value}`); the
// widget turns them into instants, then into the agent's own zone (`m.tz`) for display.
// Nonexistent local times (the spring-forward gap) take the offset before the gap and ambiguous
// ones (the repeated autumn hour) the first of the two, as RFC 5545 §3.3.5 prescribes.

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
    formats.set(tz, f);
  }
  return f;
}

/** True when the runtime knows the zone. */
export function isKnownZone(tz: string): boolean {
  try {
    partsFormat(tz);
    return true;
  } catch {
    return false;
  }
}

function formatWall(tz: string, ms: number): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of partsFormat(tz).formatToParts(ms)) {
    if (p.type === "year" || p.type === "month" || p.type === "day" || p.type === "hour" || p.type === "minute" || p.type === "second") out[p.type] = Number(p.value);
  }
  return out;
}

const asUtc = (w: WallClock): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

// Offsets change on multiples of 15 minutes of UTC (every offset of today's tzdata is a multiple of
// 15 minutes and changes at a local whole or half hour), so one Intl call per zone and quarter of an
// hour is exact and makes a month view of thousands of occurrences cheap (formatToParts is slow).
const QUARTER = 900_000;
const offsets = new Map<string, Map<number, number>>();

/** Offset of `tz` at `ms`, in ms east of Greenwich. */
export function offsetAt(tz: string, ms: number): number {
  let perZone = offsets.get(tz);
  if (perZone === undefined) {
    perZone = new Map();
    offsets.set(tz, perZone);
  }
  const q = Math.floor(ms / QUARTER);
  let o = perZone.get(q);
  if (o === undefined) {
    if (perZone.size > 100_000) perZone.clear();
    o = asUtc(formatWall(tz, q * QUARTER)) - q * QUARTER;
    perZone.set(q, o);
  }
  return o;
}

/** The wall clock of instant `ms` in zone `tz`. */
export function wallAt(tz: string, ms: number): WallClock {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offsetAt(tz, ms));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/** The instant a wall clock names in `tz` (gap: offset before it; repeated hour: the first). */
export function instantOf(tz: string, w: WallClock): number {
  const local = asUtc(w);
  const before = offsetAt(tz, local - 43_200_000);
  const after = offsetAt(tz, local + 43_200_000);
  const candidates = [local - before, local - after].filter((t) => offsetAt(tz, t) === local - t);
  if (candidates.length === 0) return local - before;
  return Math.min(...candidates);
}

/** Digits at [from, to) of `s` as a number, or NaN (hot path: no regex, no substring). */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

/** "20261025T180000" or "20261025" → wall clock (midnight for a date). */
export function parseWall(value: string): WallClock {
  const timed = value.length === 15 && value.charCodeAt(8) === 84; // "T"
  const w = {
    year: digits(value, 0, 4), month: digits(value, 4, 6), day: digits(value, 6, 8),
    hour: timed ? digits(value, 9, 11) : 0, minute: timed ? digits(value, 11, 13) : 0, second: timed ? digits(value, 13, 15) : 0,
  };
  if ((value.length !== 8 && !timed) || Number.isNaN(w.year + w.month + w.day + w.hour + w.minute + w.second)) throw new Error(`not an iCalendar date: ${value}`);
  return w;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

export const dayString = (w: Pick<WallClock, "year" | "month" | "day">): string => `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}`;
export const wallString = (w: WallClock): string => `${dayString(w)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;

/** Instant of `{tzid, value}`; an unknown zone is read as UTC (the caller flags it). */
export function instantOfValue(tzid: string, value: string): number {
  return instantOf(isKnownZone(tzid) ? tzid : "UTC", parseWall(value));
}

/** Local midnight of day "YYYYMMDD" in `tz`. */
export function dayStart(tz: string, day: string): number {
  return instantOf(tz, parseWall(day));
}

/** The local day "YYYYMMDD" of instant `ms` in `tz`. */
export const dayOf = (tz: string, ms: number): string => dayString(wallAt(tz, ms));

/** Minutes since local midnight on the wall clock (18:00 → 1080, whatever the day's length). */
export function wallMinutes(tz: string, ms: number): number {
  const w = wallAt(tz, ms);
  return w.hour * 60 + w.minute;
}

/** Day arithmetic on "YYYYMMDD" (calendar days, no zone involved). */
export function addDays(day: string, n: number): string {
  const w = parseWall(day);
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + n));
  return dayString({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** 0 = Monday … 6 = Sunday (weeks start on Monday in France, ISO 8601). */
export function weekdayOf(day: string): number {
  const w = parseWall(day);
  return (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
}

export const mondayOf = (day: string): string => addDays(day, -weekdayOf(day));

export function daysBetween(from: string, to: string): number {
  const a = parseWall(from);
  const b = parseWall(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}
