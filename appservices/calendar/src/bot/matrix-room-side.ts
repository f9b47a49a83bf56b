// The sync engine's room side over the bot platform: the room calendar is the fold of the events
// the bot has seen (loaded through the anchor's relations at start, then from appservice
// transactions), and the bot's own writes are sent with BotContext.send (encrypted in an
// encrypted room) and added to that list at once, since the platform does not hand them back.
import type { BotContext } from "../../../kit/src/start-bot.ts";
import type { RawRoomEvent } from "../../../protocol/src/raw-event.ts";
import { buildEventRoot, buildEventRsvp, buildEventUpdate, EVENT_RSVP, EVENT_UPDATE, foldCalendar, nextClock, parseRoomPowerLevels, ROOM_MESSAGE, userLevel, type RoomCreateEvent, type CalendarEventFields, type EventOrigin, type JsonObject, type PartialCalendarEventFields, type RoomPowerLevels, type RsvpStatus } from "../protocol.ts";
import type { RoomCalendarEvent, RoomSide } from "../sync/room-side.ts";

export type FoldEvent = RawRoomEvent;

export class MatrixRoomSide implements RoomSide {
  readonly roomId: string;
  readonly anchor: string;
  readonly events = new Map<string, FoldEvent>();
  levels: RoomPowerLevels = parseRoomPowerLevels({});
  /** the room's create event (v12 rooms: creators are above every power level) */
  createEvent: RoomCreateEvent | undefined;
  /** m.room.power_levels content as sent (invite and state levels) */
  powerContent: Record<string, unknown> = {};
  encrypted = false;
  /** reminderSentKey() of every reminder found in the event threads or sent by this process */
  readonly sentReminders = new Set<string>();
  /** "<root> <user>" of every attendee invited (or told we cannot) */
  readonly invited = new Set<string>();
  /** roots members sent while the bot ran (auto-video applies to these, not to history or imports) */
  readonly liveRoots = new Set<string>();
  readonly #ctx: BotContext;
  #maxClock = 0;

  constructor(ctx: BotContext, roomId: string, anchor: string) {
    this.#ctx = ctx;
    this.roomId = roomId;
    this.anchor = anchor;
  }

  setPowerLevels(content: unknown): void {
    this.powerContent = typeof content === "object" && content !== null ? (content as Record<string, unknown>) : {};
    this.levels = parseRoomPowerLevels(content, this.createEvent);
  }

  levelOf(userId: string): number {
    return userLevel(this.levels, userId);
  }

  add(e: FoldEvent): void {
    this.events.set(e.event_id, e);
  }

  fold(): ReturnType<typeof foldCalendar> {
    const r = foldCalendar({ events: this.events.values(), anchor: this.anchor, levels: this.levels });
    this.#maxClock = r.maxClock;
    return r;
  }

  load(): Promise<Map<string, RoomCalendarEvent>> {
    const out = new Map<string, RoomCalendarEvent>();
    for (const ev of this.fold().events.values()) {
      const { id, uid, cancelled, rsvps, summary, description, location, calendar, organizer, attendees, reminders, video } = ev;
      out.set(uid, { rootId: id, uid, cancelled, rsvps, fields: { summary, description, location, calendar, organizer, attendees, reminders, video } });
    }
    return Promise.resolve(out);
  }

  async #send(type: string, content: JsonObject): Promise<string> {
    const eventId = await this.#ctx.send(this.roomId, type, content);
    this.add({ event_id: eventId, type, sender: this.#ctx.botUserId, origin_server_ts: Date.now(), content });
    return eventId;
  }

  create(uid: string, fields: CalendarEventFields, origin: EventOrigin): Promise<string> {
    return this.#send(ROOM_MESSAGE, buildEventRoot({ anchor: this.anchor, uid, origin, fields }));
  }

  async update(rootId: string, set: PartialCalendarEventFields): Promise<void> {
    this.fold();
    await this.#send(EVENT_UPDATE, buildEventUpdate({ root: rootId, clock: nextClock(this.#maxClock), set }));
  }

  async rsvp(rootId: string, userId: string, status: RsvpStatus): Promise<void> {
    await this.#send(EVENT_RSVP, buildEventRsvp({ root: rootId, status, onBehalfOf: userId }));
  }

  async cancel(rootId: string): Promise<void> {
    this.fold();
    await this.#send(EVENT_UPDATE, buildEventUpdate({ root: rootId, clock: nextClock(this.#maxClock), cancel: true }));
  }
}
