// Calendar widget view-model benchmark (widgets/calendar, issue 14): the room of the sync benchmark
// as the widget sees it — 4,500 single events over 2025–2026 and 500 weekly series started in
// 2025 (Europe/Paris) — folded with foldCalendar, then the month of October 2026 expanded and laid
// out (month grid) and the DST week of 25 Oct 2026 laid out, for an agent in Paris. Pure CPU,
// in-process; seeded, so every run sees the same events. Runnable alone: node tests/bench/calendar-widget.ts [--quick]
import { CalendarModel } from "../../widgets/calendar/src/calendar-model.ts";
import { monthGrid, monthSpan } from "../../widgets/calendar/src/month-grid.ts";
import { expandOccurrences } from "../../widgets/calendar/src/occurrences.ts";
import { buildCalendarBinding, buildEventRoot } from "../../widgets/calendar/src/protocol.ts";
import { layoutDays } from "../../widgets/calendar/src/week-layout.ts";
import { int, prng } from "../../appservices/protocol/src/test-support.ts";
import { printTable, type BenchRow } from "./stats.ts";
import { timeRuns } from "./time-runs.ts";

const TZ = "Europe/Paris";
const pad = (n: number): string => String(n).padStart(2, "0");

export function calendarWidgetWorkload(singles: number, series: number, seed = 14): unknown[] {
  const rand = prng(seed);
  const events: unknown[] = [{ type: "fr.entente.calendar", state_key: "agenda", event_id: "$binding", sender: "@bot:ville-a.fr", origin_server_ts: 1, content: buildCalendarBinding({ anchor: "$anchor", name: "Agenda" }) }];
  for (let i = 0; i < singles + series; i++) {
    const isSeries = i < series;
    const day = `${isSeries ? 2025 : int(rand, 2025, 2026)}${pad(int(rand, 1, 12))}${pad(int(rand, 1, 28))}`;
    const hour = int(rand, 8, 19);
    const calendar = {
      series: { dtstart: { tzid: TZ, value: `${day}T${pad(hour)}0000` }, dtend: { tzid: TZ, value: `${day}T${pad(hour + 1)}3000` }, ...(isSeries ? { rrule: "FREQ=WEEKLY" } : {}) },
      overrides: [],
    };
    const content = buildEventRoot({ anchor: "$anchor", uid: `ev-${i}@ville-a.fr`, fields: { summary: `Réunion ${i}`, calendar } });
    events.push({ type: "m.room.message", event_id: `$ev${i}`, sender: "@alice:ville-a.fr", origin_server_ts: 1_700_000_000_000 + i, content });
  }
  return events;
}

export function calendarWidgetBench(quick: boolean): BenchRow[] {
  const raw = calendarWidgetWorkload(4500, 500);
  const runs = quick ? 3 : 11;
  const fold = timeRuns(runs, () => {
    const m = new CalendarModel();
    for (const e of raw) m.add(e);
    m.view();
  }, 3);
  const model = new CalendarModel();
  for (const e of raw) model.add(e);
  const events = [...model.view().events.values()];
  const month = timeRuns(runs, () => {
    const occ = expandOccurrences(events, { ...monthSpan("20261015"), tz: TZ });
    monthGrid(occ, "20261015", TZ);
  }, 3);
  const week = timeRuns(runs, () => layoutDays(expandOccurrences(events, { from: "20261019", to: "20261026", tz: TZ }), "20261019", 7, TZ), 3);
  // CPU time too: on a shared machine the wall time also counts the time other processes ran.
  return [
    { name: "calendar widget: fold 5,000 events (500 weekly series) (median)", value: fold.wall, unit: "ms", target: "" },
    { name: "calendar widget: month view Oct 2026, expand + grid (median)", value: month.wall, unit: "ms", target: "" },
    { name: "calendar widget: month view, CPU time (median)", value: month.cpu, unit: "ms", target: "" },
    { name: "calendar widget: DST week of 25 Oct 2026, expand + layout (median)", value: week.wall, unit: "ms", target: "" },
  ];
}

if (import.meta.main) printTable(calendarWidgetBench(process.argv.includes("--quick")));
