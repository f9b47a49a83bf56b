// The words of a reminder notice, French first then English, with the start in the occurrence's
// own zone (all-day: the day only).
import type { CalendarDate } from "../protocol.ts";

const fmt = (tz: string, withTime: boolean): Intl.DateTimeFormat =>
  new Intl.DateTimeFormat("fr-FR", { timeZone: tz, weekday: "short", day: "numeric", month: "short", year: "numeric", ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}) });

function delayFr(minutes: number): string {
  if (minutes === 0) return "maintenant";
  if (minutes % 1440 === 0) return `dans ${minutes / 1440} j`;
  if (minutes % 60 === 0) return `dans ${minutes / 60} h`;
  return `dans ${minutes} min`;
}

export function eventReminderText(o: { summary: string; start: CalendarDate; startAt: number; minutes: number; defaultTzid: string; mentions: readonly string[] }): string {
  const allDay = "date" in o.start;
  const tz = "tzid" in o.start ? o.start.tzid : o.defaultTzid;
  const when = fmt(tz, !allDay).format(new Date(o.startAt)) + (allDay ? " (journée)" : ` (${tz})`);
  const who = o.mentions.length > 0 ? `${o.mentions.join(", ")} : ` : "";
  return `🔔 ${who}rappel, « ${o.summary} » commence ${delayFr(o.minutes)} — ${when}. (Reminder: "${o.summary}" starts in ${o.minutes} min.)`;
}
