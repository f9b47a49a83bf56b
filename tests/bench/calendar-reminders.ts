// Calendar bot reminders (issue 14): the cost of one reminder check — what the bot does every
// 30 s — over a room calendar of N events (one in ten a weekly series started a year before
// "now", with an exception and a moved occurrence), in process: the first check after a start
// expands each series from its first occurrence, later ones resume where it got to
// (reminders/occurrences.ts).
// Runnable alone: npx node tests/bench/calendar-reminders.ts [--quick]
import { eventRemindersDue, type RemindableEvent } from "../../appservices/calendar/src/reminders/event-reminders.ts";
import type { CalendarEventFields } from "../../appservices/calendar/src/protocol.ts";
import { median, printTable, type BenchRow } from "./stats.ts";

const paris = (value: string) => ({ tzid: "Europe/Paris", value });
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");

function event(i: number, now: number): RemindableEvent {
  const recurring = i % 10 === 0;
  const start = recurring ? now - 365 * 86_400_000 + (i % 7) * 86_400_000 : now + (i % 60) * 86_400_000;
  const d = ymd(start);
  const fields: CalendarEventFields = {
    summary: `Réunion ${i}`, description: null, location: null, organizer: null, attendees: [{ id: "@agent1:ville-a.fr" }], reminders: i % 3 === 0 ? [15, 1440] : [], video: null,
    calendar: recurring
      ? { series: { dtstart: paris(`${d}T180000`), dtend: paris(`${d}T200000`), rrule: "FREQ=WEEKLY", exdate: [paris(`${ymd(start + 14 * 86_400_000)}T180000`)] },
        overrides: [{ recurrenceId: paris(`${ymd(start + 21 * 86_400_000)}T180000`), dtstart: paris(`${ymd(start + 22 * 86_400_000)}T170000`), dtend: paris(`${ymd(start + 22 * 86_400_000)}T190000`) }] }
      : { series: { dtstart: paris(`${d}T100000`), dtend: paris(`${d}T110000`) }, overrides: [] },
  };
  return { rootId: `$e${i}`, cancelled: false, fields };
}

export function calendarRemindersBench(quick: boolean): BenchRow[] {
  const n = quick ? 1000 : 5000;
  const now = Date.parse("2026-10-25T12:00:00Z");
  const events = Array.from({ length: n }, (_, i) => event(i, now));
  const sent = new Set<string>();
  const times: number[] = [];
  const c0 = performance.now();
  eventRemindersDue(events, sent, now, "Europe/Paris"); // the first check after a start: every series expanded from its start
  const cold = performance.now() - c0;
  for (let r = 0; r < (quick ? 5 : 11); r++) {
    const t0 = performance.now();
    eventRemindersDue(events, sent, now + r * 30_000, "Europe/Paris");
    times.push(performance.now() - t0);
  }
  return [
    { name: `calendar reminders: first check after start, ${n} events (${n / 10} weekly series a year old)`, value: cold, unit: "ms", target: "informative" },
    { name: `calendar reminders: one check every 30 s, ${n} events, median`, value: median(times), unit: "ms", target: "informative" },
  ];
}

if (import.meta.main) printTable(calendarRemindersBench(process.argv.includes("--quick")));
