// A room calendar held in memory: raw events in, foldCalendar out, exactly as a client reads a
// room. The sync engine's tests and the benchmark use it as the room side; it also plays the
// members (create, edit, cancel, RSVP as someone) so tests can act "in the room".
import { buildEventRoot, buildEventRsvp, buildEventUpdate, foldCalendar, nextClock, parseRoomPowerLevels, ROOM_MESSAGE, EVENT_RSVP, EVENT_UPDATE, type CalendarEventFields, type EventOrigin, type JsonObject, type PartialCalendarEventFields, type RsvpStatus, type SkippedEvent } from "../protocol.ts";
import type { RoomCalendarEvent, RoomSide } from "./room-side.ts";

export interface MemoryRoomEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: JsonObject;
}

export class MemoryRoom implements RoomSide {
  readonly anchor = "$anchor:memory";
  readonly events: MemoryRoomEvent[] = [];
  readonly botUserId: string;
  #seq = 0;
  #maxClock = 0;

  constructor(botUserId = "@entente-calendar:ville-a.fr") {
    this.botUserId = botUserId;
  }

  #send(type: string, sender: string, content: JsonObject): string {
    this.#seq += 1;
    const eventId = `$m${this.#seq}`;
    this.events.push({ event_id: eventId, type, sender, origin_server_ts: 1_700_000_000_000 + this.#seq, content });
    return eventId;
  }

  fold(): { events: Map<string, RoomCalendarEvent>; skipped: SkippedEvent[] } {
    const r = foldCalendar({ events: this.events, anchor: this.anchor, levels: parseRoomPowerLevels({ users: { [this.botUserId]: 100 } }) });
    this.#maxClock = r.maxClock;
    const out = new Map<string, RoomCalendarEvent>();
    for (const ev of r.events.values()) {
      const { id, uid, cancelled, rsvps, summary, description, location, calendar, organizer, attendees, reminders, video } = ev;
      out.set(uid, { rootId: id, uid, cancelled, rsvps, fields: { summary, description, location, calendar, organizer, attendees, reminders, video } });
    }
    return { events: out, skipped: r.skipped };
  }

  load(): Promise<Map<string, RoomCalendarEvent>> {
    return Promise.resolve(this.fold().events);
  }

  // --- the bot (RoomSide) ---
  create(uid: string, fields: CalendarEventFields, origin: EventOrigin): Promise<string> {
    return Promise.resolve(this.createAs(this.botUserId, uid, fields, origin));
  }

  update(rootId: string, set: PartialCalendarEventFields): Promise<void> {
    this.updateAs(this.botUserId, rootId, set);
    return Promise.resolve();
  }

  cancel(rootId: string): Promise<void> {
    this.cancelAs(this.botUserId, rootId);
    return Promise.resolve();
  }

  rsvp(rootId: string, userId: string, status: RsvpStatus): Promise<void> {
    this.#send(EVENT_RSVP, this.botUserId, buildEventRsvp({ root: rootId, status, onBehalfOf: userId }));
    return Promise.resolve();
  }

  // --- members ---
  createAs(sender: string, uid: string, fields: CalendarEventFields, origin: EventOrigin = { source: "matrix" }): string {
    return this.#send(ROOM_MESSAGE, sender, buildEventRoot({ anchor: this.anchor, uid, origin, fields }));
  }

  updateAs(sender: string, rootId: string, set: PartialCalendarEventFields): string {
    this.fold();
    return this.#send(EVENT_UPDATE, sender, buildEventUpdate({ root: rootId, clock: nextClock(this.#maxClock), set }));
  }

  cancelAs(sender: string, rootId: string): string {
    this.fold();
    return this.#send(EVENT_UPDATE, sender, buildEventUpdate({ root: rootId, clock: nextClock(this.#maxClock), cancel: true }));
  }

  rsvpAs(sender: string, rootId: string, status: RsvpStatus): string {
    return this.#send(EVENT_RSVP, sender, buildEventRsvp({ root: rootId, status }));
  }
}
