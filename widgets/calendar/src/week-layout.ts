// A week (or any run of days) laid out for the time grid: per local day of the agent's zone, the
// all-day occurrences and the timed segments with their position in wall-clock minutes and their
// lane among overlapping ones. Positions are wall-clock minutes, so an 18:00 meeting sits on the
// 18:00 line even on the 25-hour day of the autumn DST change.
import type { Occurrence } from "./occurrences.ts";
import { addDays, dayStart, wallMinutes } from "./zoned-time.ts";

export interface TimedSegment {
  occurrence: Occurrence;
  /** minutes from local midnight (wall clock) */
  top: number;
  /** minutes on the wall clock, at least MIN_HEIGHT */
  height: number;
  lane: number;
  lanes: number;
  /** the occurrence started before / ends after this day */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

export interface DayColumn {
  day: string;
  /** real length of the local day in hours (23, 24 or 25) */
  hours: number;
  allDay: Occurrence[];
  timed: TimedSegment[];
}

export const MIN_HEIGHT = 15;
const DAY_MINUTES = 24 * 60;

export function layoutDays(occurrences: readonly Occurrence[], firstDay: string, count: number, tz: string): DayColumn[] {
  const columns: DayColumn[] = [];
  for (let i = 0; i < count; i++) {
    const day = addDays(firstDay, i);
    const next = addDays(day, 1);
    const start = dayStart(tz, day);
    const end = dayStart(tz, next);
    const allDay = occurrences.filter((o) => o.allDay && (o.startDay ?? "") <= day && (o.endDay ?? "") > day);
    const segments: TimedSegment[] = [];
    for (const o of occurrences) {
      if (o.allDay || !(o.start < end && (o.end > start || (o.end === o.start && o.start >= start)))) continue;
      const s = Math.max(o.start, start);
      const e = Math.min(o.end, end);
      const top = wallMinutes(tz, s);
      const bottom = e >= end ? DAY_MINUTES : wallMinutes(tz, e);
      segments.push({ occurrence: o, top, height: Math.max(MIN_HEIGHT, bottom - top), lane: 0, lanes: 1, continuesBefore: o.start < start, continuesAfter: o.end > end });
    }
    assignLanes(segments);
    columns.push({ day, hours: Math.round((end - start) / 3_600_000), allDay, timed: segments });
  }
  return columns;
}

/** Greedy lanes per cluster of overlapping segments; every segment of a cluster shares its width. */
export function assignLanes(segments: TimedSegment[]): void {
  segments.sort((a, b) => a.top - b.top || b.height - a.height);
  let cluster: TimedSegment[] = [];
  let laneEnds: number[] = [];
  let clusterEnd = -1;
  const close = (): void => {
    for (const s of cluster) s.lanes = laneEnds.length;
    cluster = [];
    laneEnds = [];
  };
  for (const s of segments) {
    if (s.top >= clusterEnd) close();
    let lane = laneEnds.findIndex((e) => e <= s.top);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(0);
    }
    laneEnds[lane] = s.top + s.height;
    s.lane = lane;
    cluster.push(s);
    clusterEnd = Math.max(clusterEnd, s.top + s.height);
  }
  close();
}
