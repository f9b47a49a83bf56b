// The sync engine's view of the room (the "room side" port). The engine never sends Matrix
// events itself: memory-room.ts implements this for tests and the benchmark, the bot implements it
// over its Matrix client. Both fold the room with @entente/protocol's foldCalendar.
import type { CalendarEventFields, EventOrigin, PartialCalendarEventFields, Rsvp, RsvpStatus } from "../protocol.ts";

export interface RoomCalendarEvent {
  /** event id of the root */
  rootId: string;
  uid: string;
  fields: CalendarEventFields;
  cancelled: boolean;
  rsvps: readonly Rsvp[];
}

export interface RoomSide {
  /** the folded calendar of the binding, by UID (cancelled events included) */
  load(): Promise<Map<string, RoomCalendarEvent>>;
  /** sends a root; returns its event id */
  create(uid: string, fields: CalendarEventFields, origin: EventOrigin): Promise<string>;
  /** sends an update setting these fields (the implementation picks the Lamport clock) */
  update(rootId: string, set: PartialCalendarEventFields): Promise<void>;
  cancel(rootId: string): Promise<void>;
  /** sends a member's series answer given in CalDAV (an RSVP with on_behalf_of) */
  rsvp(rootId: string, userId: string, status: RsvpStatus): Promise<void>;
}
