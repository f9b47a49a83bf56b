// Wall-clock time in an IANA zone <-> instants, pure, with the runtime's Intl time zone data.
// RFC 5545 semantics: a duration in days or weeks is nominal (same wall time N days earlier,
// whatever DST did meanwhile), hours/minutes/seconds are exact.
// https://www.rfc-editor.org/rfc/rfc5545#section-3.3.6

export interface WallTime { year: number; month: number; day: number; hour: number; minute: number; second: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall time in `tz` at instant `ms`. */
export function wallTimeAt(ms: number, tz: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { year: parts["year"] ?? 0, month: parts["month"] ?? 0, day: parts["day"] ?? 0, hour: parts["hour"] ?? 0, minute: parts["minute"] ?? 0, second: parts["second"] ?? 0 };
}

const asUtc = (w: WallTime): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/**
 * The instant of wall time `w` in `tz`. In the spring-forward gap (02:30 that never happens) the
 * wall time is moved forward by the gap, as RFC 5545 does; in the autumn overlap the first
 * (summer time) occurrence is taken.
 */
export function instantOf(w: WallTime, tz: string): number {
  const target = asUtc(w);
  const offsetAt = (ms: number): number => asUtc(wallTimeAt(ms, tz)) - ms;
  // The offsets a day before and a day after cover any single transition near the date.
  const before = offsetAt(target - 86_400_000);
  const after = offsetAt(target + 86_400_000);
  const valid = [target - before, target - after].filter((ms) => asUtc(wallTimeAt(ms, tz)) === target);
  if (valid.length > 0) return Math.min(...valid);
  // In the gap: keep the offset from before the transition (02:30 -> 03:30 summer time).
  return target - before;
}

/** Wall time `w` shifted by whole days on the calendar (no time zone involved). */
export function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/;

/** Instant of `due` (a wall time in `tz`) minus an RFC 5545 duration; undefined if malformed. */
export function instantBefore(due: WallTime, tz: string, duration: string): number | undefined {
  const m = DURATION.exec(duration);
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? 0);
  const days = n(1) * 7 + n(2);
  const exactMs = ((n(3) * 60 + n(4)) * 60 + n(5)) * 1000;
  return instantOf(addDays(due, -days), tz) - exactMs;
}

export const wallTimeFromIcal = (value: string): WallTime | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0) };
};

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
export const icalDate = (w: WallTime): string => `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}`;
export const icalDateTime = (w: WallTime): string => `${icalDate(w)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
/** "27/03/2027 10:00" */
export const frenchWallTime = (w: WallTime): string => `${pad(w.day)}/${pad(w.month)}/${w.year} ${pad(w.hour)}:${pad(w.minute)}`;
