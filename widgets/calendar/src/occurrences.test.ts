import assert from "node:assert/strict";
import { expandOccurrences, seriesStarts } from "./occurrences.ts";
import { layoutDays } from "./week-layout.ts";
import { agendaDays, monthGrid } from "./month-grid.ts";
import { instantOfValue, wallAt } from "./zoned-time.ts";
import { buildEventUpdate, paris, rootEvent, single, updated } from "./test-events.ts";

const PARIS = "Europe/Paris";
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16);
const weekly = { series: { dtstart: paris("20261006T180000"), dtend: paris("20261006T200000"), rrule: "FREQ=WEEKLY" }, overrides: [] };

describe("calendar widget: zoned time", () => {
  it("reads wall clocks in a zone across the October 2026 change (gap and repeated hour)", () => {
    assert.equal(iso(instantOfValue(PARIS, "20261024T180000")), "2026-10-24T16:00");
    assert.equal(iso(instantOfValue(PARIS, "20261025T180000")), "2026-10-25T17:00");
    // 02:30 happens twice on 25 Oct: the first one (still summer time) is meant.
    assert.equal(iso(instantOfValue(PARIS, "20261025T023000")), "2026-10-25T00:30");
    // 02:30 does not exist on 29 Mar 2026: read with the offset before the gap (= 03:30 CEST).
    assert.equal(iso(instantOfValue(PARIS, "20260329T023000")), "2026-03-29T01:30");
    assert.deepEqual(wallAt("America/New_York", instantOfValue(PARIS, "20261026T180000")), { year: 2026, month: 10, day: 26, hour: 13, minute: 0, second: 0 });
  });
});

describe("calendar widget: occurrences in a range", () => {
  it("keeps a weekly 18:00 Paris meeting at 18:00 Paris across the DST change, and moves it for a New York agent", () => {
    const ev = single("Commission travaux", weekly);
    const inParis = expandOccurrences([ev], { from: "20261019", to: "20261102", tz: PARIS });
    assert.deepEqual(inParis.map((o) => iso(o.start)), ["2026-10-20T16:00", "2026-10-27T17:00"]);
    assert.deepEqual(inParis.map((o) => wallAt(PARIS, o.start).hour), [18, 18]);
    assert.deepEqual(inParis.map((o) => (o.end - o.start) / 3_600_000), [2, 2]);
    // New York changes a week later (1 Nov): 12:00 then 13:00 on the 27th, during the offset gap.
    const inNy = expandOccurrences([ev], { from: "20261019", to: "20261102", tz: "America/New_York" });
    assert.deepEqual(inNy.map((o) => wallAt("America/New_York", o.start).hour), [12, 13]);
  });

  it("honours EXDATE, overrides (also moved into the range from outside), UNTIL and COUNT", () => {
    const root = rootEvent("Réunion", weekly);
    const ev = updated(root, buildEventUpdate({
      root: String(root["event_id"]), clock: 1, set: {
        calendar: {
          series: { ...weekly.series, exdate: [paris("20261020T180000")] },
          overrides: [
            { recurrenceId: paris("20261027T180000"), dtstart: paris("20261028T090000"), dtend: paris("20261028T100000"), summary: "Réunion (déplacée)" },
            { recurrenceId: paris("20261013T180000"), dtstart: paris("20261021T140000"), dtend: paris("20261021T150000") },
          ],
        },
      },
    }));
    const occ = expandOccurrences([ev], { from: "20261019", to: "20261102", tz: PARIS });
    assert.deepEqual(occ.map((o) => [iso(o.start), o.summary, o.overridden]), [
      ["2026-10-21T12:00", "Réunion", true],
      ["2026-10-28T08:00", "Réunion (déplacée)", true],
    ]);
    assert.deepEqual(occ.map((o) => o.recurrenceId), [paris("20261013T180000"), paris("20261027T180000")]);
    const until = single("Jusqu'au 20", { series: { ...weekly.series, rrule: "FREQ=WEEKLY;UNTIL=20261020T160000Z" }, overrides: [] });
    assert.deepEqual(expandOccurrences([until], { from: "20261001", to: "20261201", tz: PARIS }).map((o) => iso(o.start)), ["2026-10-06T16:00", "2026-10-13T16:00", "2026-10-20T16:00"]);
    const count = single("Trois fois", { series: { ...weekly.series, rrule: "FREQ=MONTHLY;COUNT=3" }, overrides: [] });
    assert.deepEqual(expandOccurrences([count], { from: "20260101", to: "20270101", tz: PARIS }).map((o) => iso(o.start)), ["2026-10-06T16:00", "2026-11-06T17:00", "2026-12-06T17:00"]);
  });

  it("places all-day events by date whatever the zone, DTEND exclusive; skips cancelled events", () => {
    const fete = single("Fête locale", { series: { dtstart: { date: "20261024" }, dtend: { date: "20261026" } }, overrides: [] });
    for (const tz of [PARIS, "Pacific/Noumea", "America/Cayenne"]) {
      const [o] = expandOccurrences([fete], { from: "20261019", to: "20261026", tz });
      assert.deepEqual([o?.allDay, o?.startDay, o?.endDay], [true, "20261024", "20261026"], tz);
    }
    assert.equal(expandOccurrences([fete], { from: "20261026", to: "20261101", tz: PARIS }).length, 0, "DTEND is exclusive");
    const yearly = single("Anniversaire", { series: { dtstart: { date: "20200101" }, dtend: { date: "20200102" }, rrule: "FREQ=YEARLY" }, overrides: [] });
    assert.deepEqual(expandOccurrences([yearly], { from: "20261201", to: "20270201", tz: PARIS }).map((o) => o.startDay), ["20270101"]);
    assert.equal(expandOccurrences([{ ...fete, cancelled: true }], { from: "20261019", to: "20261026", tz: PARIS }).length, 0);
  });

  it("jumps plain daily/weekly rules to the range, with the same starts ical.js gives", () => {
    const rules = ["FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;COUNT=10", "FREQ=DAILY;COUNT=50", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301T170000Z", "FREQ=DAILY;INTERVAL=3"];
    for (const rule of rules) {
      const fast = single("Rapide", { series: { dtstart: paris("20251007T180000"), dtend: paris("20251007T190000"), rrule: rule }, overrides: [] });
      // BYHOUR=18 matches DTSTART, so the set is the same, but it takes ical.js's path.
      const slow = single("Lent", { series: { ...fast.calendar.series, rrule: `${rule};BYHOUR=18` }, overrides: [] });
      const all = seriesStarts(slow, "20271231");
      assert.deepEqual(seriesStarts(fast, "20271231"), all, rule);
      const fromOct = seriesStarts(fast, "20271231", "20261019");
      assert.deepEqual(fromOct, all.slice(all.length - fromOct.length), `${rule}: a suffix`);
      assert.deepEqual(expandOccurrences([fast], { from: "20261019", to: "20261109", tz: PARIS }).map((o) => o.start), expandOccurrences([slow], { from: "20261019", to: "20261109", tz: PARIS }).map((o) => o.start), rule);
    }
    const allDay = single("Marché", { series: { dtstart: { date: "20250103" }, dtend: { date: "20250104" }, rrule: "FREQ=WEEKLY" }, overrides: [] });
    assert.deepEqual(expandOccurrences([allDay], { from: "20261019", to: "20261026", tz: PARIS }).map((o) => o.startDay), ["20261023"]);
  });

  it("bounds a runaway rule and ignores a broken one", () => {
    const minutely = single("Boucle", { series: { dtstart: paris("20260101T000000"), dtend: paris("20260101T000100"), rrule: "FREQ=MINUTELY" }, overrides: [] });
    assert.equal(expandOccurrences([minutely], { from: "20260101", to: "20260201", tz: PARIS }).length, 500);
    const broken = single("Cassé", { series: { dtstart: paris("20261020T180000"), dtend: paris("20261020T190000"), rrule: "FREQ=WEEKLY;BYDAY=XX" }, overrides: [] });
    assert.ok(expandOccurrences([broken], { from: "20261019", to: "20261026", tz: PARIS }).length <= 1);
  });
});

describe("calendar widget: week layout, month grid, agenda", () => {
  it("lays out the DST week of 25 Oct 2026: 18:00 on the 18:00 line every day, a 25-hour Sunday", () => {
    const daily = single("Point quotidien", { series: { dtstart: paris("20261019T180000"), dtend: paris("20261019T190000"), rrule: "FREQ=DAILY" }, overrides: [] });
    const night = single("Astreinte", { series: { dtstart: paris("20261025T010000"), dtend: paris("20261025T040000") }, overrides: [] });
    const over = single("Chevauche", { series: { dtstart: paris("20261025T183000"), dtend: paris("20261025T193000") }, overrides: [] });
    const occ = expandOccurrences([daily, night, over], { from: "20261019", to: "20261026", tz: PARIS });
    const days = layoutDays(occ, "20261019", 7, PARIS);
    assert.deepEqual(days.map((d) => d.hours), [24, 24, 24, 24, 24, 24, 25]);
    assert.deepEqual(days.map((d) => d.timed.find((s) => s.occurrence.summary === "Point quotidien")?.top), [1080, 1080, 1080, 1080, 1080, 1080, 1080]);
    const sunday = days[6]!;
    const astreinte = sunday.timed.find((s) => s.occurrence.summary === "Astreinte")!;
    assert.deepEqual([astreinte.top, astreinte.height, (astreinte.occurrence.end - astreinte.occurrence.start) / 3_600_000], [60, 180, 4], "01:00–04:00 on the wall, 4 real hours");
    const lanes = sunday.timed.filter((s) => s.top >= 1080).map((s) => [s.occurrence.summary, s.lane, s.lanes]);
    assert.deepEqual(lanes, [["Point quotidien", 0, 2], ["Chevauche", 1, 2]]);
    assert.deepEqual(days[0]!.timed.map((s) => s.lanes), [1]);
  });

  it("splits an overnight event over two days and lists multi-day events on each", () => {
    const night = single("Nuit", { series: { dtstart: paris("20261023T220000"), dtend: paris("20261024T020000") }, overrides: [] });
    const fete = single("Fête", { series: { dtstart: { date: "20261024" }, dtend: { date: "20261026" } }, overrides: [] });
    const occ = expandOccurrences([night, fete], { from: "20261019", to: "20261026", tz: PARIS });
    const days = layoutDays(occ, "20261019", 7, PARIS);
    assert.deepEqual([days[4]!.timed[0]?.top, days[4]!.timed[0]?.height, days[4]!.timed[0]?.continuesAfter], [1320, 120, true]);
    assert.deepEqual([days[5]!.timed[0]?.top, days[5]!.timed[0]?.height, days[5]!.timed[0]?.continuesBefore], [0, 120, true]);
    assert.deepEqual(days.map((d) => d.allDay.length), [0, 0, 0, 0, 0, 1, 1]);
    const grid = monthGrid(occ, "20261015", PARIS);
    assert.equal(grid.length, 6);
    assert.equal(grid[0]![0]!.day, "20260928", "weeks start on Monday");
    assert.deepEqual(grid.flat().filter((d) => d.occurrences.length > 0).map((d) => [d.day, d.occurrences.map((o) => o.summary)]), [
      ["20261023", ["Nuit"]], ["20261024", ["Fête", "Nuit"]], ["20261025", ["Fête"]],
    ]);
    assert.deepEqual(agendaDays(occ, "20261019", "20261026", PARIS).map((d) => d.day), ["20261023", "20261024", "20261025"]);
    assert.deepEqual(agendaDays([], "20261019", "20261026", PARIS), []);
  });
});
