// Mainline ordering: events sorted by how early in the power-levels mainline their auth chain starts.
// Spec: https://spec.matrix.org/v1.16/rooms/v2/#definitions ("Mainline ordering")

import { authEventOfType, compareTsThenId } from "./state-res-source.ts";
import type { EventLoader } from "./state-res-source.ts";
import type { RoomEvent } from "../pdu.ts";

const POWER_LEVELS = "m.room.power_levels";

/** The mainline of P₀: P₀, then the power levels event in its auth events, and so on. Index = i. */
export async function mainlineOf(powerLevelsId: string | undefined, loader: EventLoader): Promise<Map<string, number>> {
  const mainline = new Map<string, number>();
  let current = powerLevelsId === undefined ? undefined : await loader.load(powerLevelsId);
  while (current !== undefined && !mainline.has(current.eventId)) {
    mainline.set(current.eventId, mainline.size);
    current = await authEventOfType(current, POWER_LEVELS, loader);
  }
  return mainline;
}

/**
 * The mainline position of e: the index of the first of e₁, e₂, … (power levels events reached by
 * following auth_events, e₀ = e itself excluded) that is on the mainline; Infinity when none is.
 * `memo` remembers the answer for every power levels event walked through.
 */
export async function mainlinePosition(
  event: RoomEvent,
  mainline: ReadonlyMap<string, number>,
  loader: EventLoader,
  memo: Map<string, number> = new Map(),
): Promise<number> {
  const walked = new Set<string>();
  let position = Infinity;
  for (let pl = await authEventOfType(event, POWER_LEVELS, loader); pl !== undefined; ) {
    const known = mainline.get(pl.eventId) ?? memo.get(pl.eventId);
    if (known !== undefined) {
      position = known;
      break;
    }
    if (walked.has(pl.eventId)) break;
    walked.add(pl.eventId);
    pl = await authEventOfType(pl, POWER_LEVELS, loader);
  }
  for (const id of walked) memo.set(id, position);
  return position;
}

/**
 * Sort events so that x < y when x's mainline position is greater (based on an earlier power
 * levels event), then by origin_server_ts, then by event id.
 */
export async function mainlineOrder(
  eventIds: Iterable<string>,
  powerLevelsId: string | undefined,
  loader: EventLoader,
): Promise<string[]> {
  const mainline = await mainlineOf(powerLevelsId, loader);
  const memo = new Map<string, number>();
  const keyed: { event: RoomEvent; position: number }[] = [];
  for (const id of eventIds) {
    const event = await loader.load(id);
    keyed.push({ event, position: await mainlinePosition(event, mainline, loader, memo) });
  }
  keyed.sort((x, y) => {
    if (x.position !== y.position) return x.position > y.position ? -1 : 1;
    return compareTsThenId(x.event, y.event);
  });
  return keyed.map((k) => k.event.eventId);
}
