// Folded calendar events for the widget's unit tests, built through the protocol's own builders
// and fold (so a test never feeds the view-model a shape the fold would not produce).
import { buildEventRoot, buildEventUpdate, foldCalendar, parseRoomPowerLevels, type CalendarEntries, type CalendarEvent, type JsonObject } from "./protocol.ts";

export const ANCHOR = "$anchor";
export const paris = (value: string) => ({ tzid: "Europe/Paris", value });

let n = 0;
export function raw(type: string, content: JsonObject, sender = "@alice:ville-a.fr"): Record<string, unknown> {
  n += 1;
  return { type, event_id: `$e${n}`, sender, origin_server_ts: 1_000 + n, room_id: "!r:ville-a.fr", content };
}

export function rootEvent(summary: string, calendar: CalendarEntries, sender = "@alice:ville-a.fr"): Record<string, unknown> {
  return raw("m.room.message", buildEventRoot({ anchor: ANCHOR, uid: `uid-${n + 1}`, fields: { summary, calendar } }), sender);
}

export function fold(events: Iterable<unknown>): Map<string, CalendarEvent> {
  return foldCalendar({ events, anchor: ANCHOR, levels: parseRoomPowerLevels({}) }).events;
}

export function single(summary: string, calendar: CalendarEntries): CalendarEvent {
  const ev = [...fold([rootEvent(summary, calendar)]).values()][0];
  if (ev === undefined) throw new Error("root not folded");
  return ev;
}

export function updated(root: Record<string, unknown>, ...updates: JsonObject[]): CalendarEvent {
  const events = [root, ...updates.map((u) => raw("fr.entente.event.update", u))];
  const ev = fold(events).get(String(root["event_id"]));
  if (ev === undefined) throw new Error("root not folded");
  return ev;
}

export { buildEventUpdate };
