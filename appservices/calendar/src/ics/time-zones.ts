// Time zones for iCalendar without a bundled database: Node's Intl (ICU's IANA data) answers
// "what is the UTC offset of zone Z at instant T", from which we (1) recognise zone names and
// (2) write the VTIMEZONE that RFC 5545 §3.6.5 requires next to any TZID we emit.
// The VTIMEZONE has one STANDARD and, for zones with DST, one DAYLIGHT observance whose yearly
// RRULE is derived from the transitions Intl reports for a reference year and checked against
// the next year; a zone whose rule does not repeat (a law change) gets that year's rule only.
import { fail, ok, type Parsed } from "../protocol.ts";

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** True when Intl knows the zone (an IANA name, "UTC" included). */
export function isKnownZone(tzid: string): boolean {
  try {
    formatFor(tzid);
    return true;
  } catch {
    return false;
  }
}

function formatFor(tzid: string): Intl.DateTimeFormat {
  let f = offsetFormats.get(tzid);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tzid, timeZoneName: "longOffset" });
    offsetFormats.set(tzid, f);
  }
  return f;
}

/** UTC offset of `tzid` at `ms`, in minutes east of Greenwich. */
export function offsetMinutes(tzid: string, ms: number): number {
  const name = formatFor(tzid).formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (m === null) return 0;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? "0"));
}

// Names clients send that are not IANA names: Outlook/Exchange's Windows names (the French
// councils' usual ones) and Mozilla's prefixed ids.
const WINDOWS_ZONES: Record<string, string> = {
  "Romance Standard Time": "Europe/Paris",
  "W. Europe Standard Time": "Europe/Berlin",
  "Central Europe Standard Time": "Europe/Budapest",
  "Central European Standard Time": "Europe/Warsaw",
  "GMT Standard Time": "Europe/London",
  "Greenwich Standard Time": "Atlantic/Reykjavik",
  "UTC": "UTC",
  "Coordinated Universal Time": "UTC",
  "Reunion Standard Time": "Indian/Reunion",
  "SA Eastern Standard Time": "America/Cayenne",
  "SA Western Standard Time": "America/Martinique",
  "Central Pacific Standard Time": "Pacific/Noumea",
};

/** The IANA name for a TZID found in iCalendar, or a reason. */
export function resolveTzid(tzid: string): Parsed<string> {
  const windows = WINDOWS_ZONES[tzid];
  if (windows !== undefined) return ok(windows);
  const mozilla = /^\/(?:[^/]+\/){2}(.+)$/.exec(tzid);
  const name = mozilla?.[1] ?? tzid;
  if (/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name) && isKnownZone(name)) return ok(name);
  return fail(`unknown TZID ${JSON.stringify(tzid.slice(0, 80))}`);
}

interface Transition {
  /** UTC instant of the change */
  at: number;
  from: number;
  to: number;
}

const DAY = 86_400_000;

/** Offset changes during `year`, to the minute (daily sampling, then bisection). */
export function transitionsIn(tzid: string, year: number): Transition[] {
  const out: Transition[] = [];
  let t = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  let prev = offsetMinutes(tzid, t);
  for (; t < end; t += DAY) {
    const next = offsetMinutes(tzid, t + DAY);
    if (next === prev) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMinutes(tzid, mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, from: prev, to: next });
    prev = next;
  }
  return out;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function fmtOffset(min: number): string {
  const a = Math.abs(min);
  return `${min < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

const DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/** Local wall clock (in the offset before the change) and the yearly rule naming that day. */
function observance(tr: Transition, year: number): { local: Date; rule: string } {
  const local = new Date(tr.at + tr.from * 60_000);
  const day = local.getUTCDate();
  const daysInMonth = new Date(Date.UTC(year, local.getUTCMonth() + 1, 0)).getUTCDate();
  const nth = day + 7 > daysInMonth ? -1 : Math.ceil(day / 7);
  return { local, rule: `FREQ=YEARLY;BYMONTH=${local.getUTCMonth() + 1};BYDAY=${nth}${DAYS[local.getUTCDay()]}` };
}

const stamp = (d: Date, year: number): string =>
  `${year}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

const vtzCache = new Map<string, string[]>();

/**
 * VTIMEZONE lines for `tzid`, rules as in force in `year` (checked against the years around it).
 * Observances start the year before, not in 1970: we do not claim today's rule held back then.
 */
export function vtimezoneLines(tzid: string, year: number): string[] {
  const key = `${tzid} ${year}`;
  const cached = vtzCache.get(key);
  if (cached !== undefined) return cached;
  const lines = ["BEGIN:VTIMEZONE", `TZID:${tzid}`];
  const trs = transitionsIn(tzid, year);
  if (trs.length !== 2) {
    const off = fmtOffset(offsetMinutes(tzid, Date.UTC(year, 0, 1)));
    lines.push("BEGIN:STANDARD", `DTSTART:${year}0101T000000`, `TZOFFSETFROM:${off}`, `TZOFFSETTO:${off}`, "END:STANDARD");
  } else {
    const next = transitionsIn(tzid, year + 1);
    const prev = transitionsIn(tzid, year - 1);
    for (const [i, tr] of trs.entries()) {
      const { local, rule } = observance(tr, year);
      const kind = tr.to > tr.from ? "DAYLIGHT" : "STANDARD";
      const repeats = next[i] !== undefined && observance(next[i], year + 1).rule === rule;
      // Start the observance a year early when the rule held then, so January of `year` is covered.
      const before = prev[i] !== undefined && repeats && observance(prev[i], year - 1).rule === rule ? observance(prev[i], year - 1).local : undefined;
      const start = before === undefined ? stamp(local, year) : stamp(before, year - 1);
      lines.push(`BEGIN:${kind}`, `DTSTART:${start}`, `TZOFFSETFROM:${fmtOffset(tr.from)}`, `TZOFFSETTO:${fmtOffset(tr.to)}`);
      if (repeats) lines.push(`RRULE:${rule}`);
      lines.push(`END:${kind}`);
    }
  }
  lines.push("END:VTIMEZONE");
  vtzCache.set(key, lines);
  return lines;
}
