// Dates and times as the agent reads them: French or English, in the agent's zone.
import type { WidgetLanguage } from "../../kit/src/widget-params.ts";
import type { Occurrence } from "./occurrences.ts";
import { addDays, parseWall } from "./zoned-time.ts";

const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(lang: WidgetLanguage, tz: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${tz}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", { timeZone: tz, ...opts });
    cache.set(key, f);
  }
  return f;
}

/** A calendar day "YYYYMMDD" (no zone: noon UTC is that day everywhere we format it). */
const noon = (day: string): number => {
  const w = parseWall(day);
  return Date.UTC(w.year, w.month - 1, w.day, 12);
};

export const formatTime = (lang: WidgetLanguage, tz: string, ms: number): string => fmt(lang, tz, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
export const formatDayLong = (lang: WidgetLanguage, day: string): string => fmt(lang, "UTC", { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(noon(day));
export const formatDayShort = (lang: WidgetLanguage, day: string): string => fmt(lang, "UTC", { weekday: "short", day: "numeric", month: "short" }).format(noon(day));
export const formatWeekday = (lang: WidgetLanguage, day: string): string => fmt(lang, "UTC", { weekday: "short" }).format(noon(day));
export const formatMonth = (lang: WidgetLanguage, day: string): string => fmt(lang, "UTC", { month: "long", year: "numeric" }).format(noon(day));

/** "18:00–20:00", "Journée entière", or "24 oct. 23:00 – 25 oct. 01:00" across days. */
export function formatSpan(lang: WidgetLanguage, tz: string, o: Occurrence, allDayLabel: string): string {
  if (o.allDay) {
    const last = addDays(o.endDay ?? "", -1);
    return last > (o.startDay ?? "") ? `${formatDayShort(lang, o.startDay ?? "")} – ${formatDayShort(lang, last)}` : allDayLabel;
  }
  const d = (ms: number): string => fmt(lang, tz, { day: "numeric", month: "short" }).format(ms);
  if (d(o.start) === d(o.end) || o.end === o.start) return `${formatTime(lang, tz, o.start)}–${formatTime(lang, tz, o.end)}`;
  return `${d(o.start)} ${formatTime(lang, tz, o.start)} – ${d(o.end)} ${formatTime(lang, tz, o.end)}`;
}
