// THE fold of a room calendar: roots, updates and RSVPs in any order (duplicates allowed) → the
// same events everywhere (docs/calendar-protocol.md "Fold rules"). Pure: events in, state and skip
// reasons out. Ordering and redaction handling are the tasks protocol's (room-events.ts).
import { ROOM_MESSAGE } from "../event-types.ts";
import { userLevel, type RoomPowerLevels } from "../power-levels.ts";
import { compareFoldOrder, prepareEvents, sortSkipped, type EventEnvelope, type SkippedEvent } from "../room-events.ts";
import { dateKey, type CalendarDate } from "./calendar-dates.ts";
import { EVENT_MSGTYPE, EVENT_RSVP, EVENT_UPDATE } from "./calendar-event-types.ts";
import type { CalendarEventFields, EventOrigin } from "./calendar-fields.ts";
import { parseEventRoot } from "./calendar-root.ts";
import { parseEventRsvp, type RsvpStatus } from "./calendar-rsvp.ts";
import { parseEventUpdate, type EventUpdate } from "./calendar-update.ts";

export interface Rsvp {
  userId: string;
  status: RsvpStatus;
  recurrenceId?: CalendarDate;
}

export interface CalendarEvent extends CalendarEventFields {
  /** event id of the root */
  id: string;
  uid: string;
  origin: EventOrigin;
  creator: string;
  createdAt: number;
  cancelled: boolean;
  clock: number;
  updates: number;
  lastUpdatedBy: string;
  /** latest answer per (member, occurrence), sorted by member then occurrence */
  rsvps: Rsvp[];
  /**
   * Who added each attendee (the sender of the root or of the update whose `attendees` first held
   * them): the bot invites into the room only attendees added by someone who may invite
   * (a member below the room's invite level must not bring anyone in through the bot). Set by the fold.
   */
  attendeesAddedBy?: Readonly<Record<string, string>>;
}

export interface CalendarPermissions {
  create: number;
  /** change an event the sender did not create */
  edit: number;
  /** cancel an event the sender did not create */
  cancel: number;
}

export const DEFAULT_CALENDAR_PERMISSIONS: CalendarPermissions = { create: 0, edit: 0, cancel: 50 };

export interface CalendarFoldInput {
  events: Iterable<unknown>;
  /** the binding's anchor; without it any anchor is accepted */
  anchor?: string;
  levels: RoomPowerLevels;
  permissions?: CalendarPermissions;
}

export interface CalendarFoldResult {
  events: Map<string, CalendarEvent>;
  /** root event id by UID (the earliest root of a UID wins; later ones are skipped) */
  byUid: Map<string, string>;
  skipped: SkippedEvent[];
  maxClock: number;
}

interface Pending {
  clock: number;
  env: EventEnvelope;
  update: EventUpdate;
}

const byTsThenId = (a: EventEnvelope, b: EventEnvelope): number =>
  a.originServerTs !== b.originServerTs ? a.originServerTs - b.originServerTs : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;

export function foldCalendar(input: CalendarFoldInput): CalendarFoldResult {
  const p = input.permissions ?? DEFAULT_CALENDAR_PERMISSIONS;
  const { events, redacted, skipped } = prepareEvents(input.events, input.levels);
  const roots: EventEnvelope[] = [];
  const updates: Pending[] = [];
  const rsvps: EventEnvelope[] = [];
  let maxClock = 0;
  for (const env of events.values()) {
    const isRoot = env.type === ROOM_MESSAGE && env.content["msgtype"] === EVENT_MSGTYPE;
    if (!isRoot && env.type !== EVENT_UPDATE && env.type !== EVENT_RSVP) continue;
    if (redacted.has(env.eventId)) skipped.push({ eventId: env.eventId, reason: "redacted" });
    else if (isRoot) roots.push(env);
    else if (env.type === EVENT_RSVP) rsvps.push(env);
    else {
      const parsed = parseEventUpdate(env.content);
      if (!parsed.ok) skipped.push({ eventId: env.eventId, reason: parsed.reason });
      else {
        maxClock = Math.max(maxClock, parsed.value.clock);
        updates.push({ clock: parsed.value.clock, env, update: parsed.value });
      }
    }
  }
  const result = new Map<string, CalendarEvent>();
  const byUid = new Map<string, string>();
  roots.sort(byTsThenId);
  for (const env of roots) {
    const reason = acceptRoot(env, input, p, result, byUid);
    if (reason !== undefined) skipped.push({ eventId: env.eventId, reason });
  }
  updates.sort(compareFoldOrder);
  for (const u of updates) {
    const reason = applyUpdate(result.get(u.update.root), u, input.levels, p);
    if (reason !== undefined) skipped.push({ eventId: u.env.eventId, reason });
  }
  applyRsvps(rsvps, result, skipped, (sender) => userLevel(input.levels, sender) >= p.cancel);
  return { events: result, byUid, skipped: sortSkipped(skipped), maxClock };
}

function acceptRoot(env: EventEnvelope, input: CalendarFoldInput, p: CalendarPermissions, out: Map<string, CalendarEvent>, byUid: Map<string, string>): string | undefined {
  const parsed = parseEventRoot(env.content);
  if (!parsed.ok) return parsed.reason;
  const root = parsed.value;
  if (input.anchor !== undefined && root.anchor !== input.anchor) return "references another calendar's anchor";
  const level = userLevel(input.levels, env.sender);
  if (level < p.create) return `sender's power level ${level} is below create (${p.create})`;
  // Two roots with one UID (two writers raced, or a bot restarted mid-import): the earliest wins
  // everywhere, so a UID is one event in every reader and one object in CalDAV.
  if (byUid.has(root.uid)) return `duplicate uid ${root.uid} (first root ${byUid.get(root.uid)})`;
  byUid.set(root.uid, env.eventId);
  out.set(env.eventId, {
    ...root.fields,
    id: env.eventId,
    uid: root.uid,
    origin: root.origin,
    creator: env.sender,
    createdAt: env.originServerTs,
    cancelled: false,
    clock: 0,
    updates: 0,
    lastUpdatedBy: env.sender,
    rsvps: [],
    attendeesAddedBy: Object.fromEntries(root.fields.attendees.map((a) => [a.id, env.sender])),
  });
  return undefined;
}

function applyUpdate(ev: CalendarEvent | undefined, u: Pending, levels: RoomPowerLevels, p: CalendarPermissions): string | undefined {
  if (ev === undefined) return "references no known event";
  if (ev.cancelled) return "event was cancelled before this update";
  const level = userLevel(levels, u.env.sender);
  const own = u.env.sender === ev.creator;
  if (u.update.cancel && !own && level < p.cancel) return `sender's power level ${level} is below cancel (${p.cancel})`;
  if (!own && level < p.edit) return `sender's power level ${level} is below edit (${p.edit})`;
  // Last writer wins per field: in fold order, each set field overwrites (parsed values are fresh).
  const newAttendees = u.update.set.attendees;
  if (newAttendees !== undefined) {
    const before = ev.attendeesAddedBy ?? {};
    ev.attendeesAddedBy = Object.fromEntries(newAttendees.map((a) => [a.id, before[a.id] ?? u.env.sender]));
  }
  Object.assign(ev, u.update.set);
  if (u.update.cancel) ev.cancelled = true;
  ev.clock = Math.max(ev.clock, u.clock);
  ev.updates += 1;
  ev.lastUpdatedBy = u.env.sender;
  return undefined;
}

function applyRsvps(rsvps: EventEnvelope[], events: Map<string, CalendarEvent>, skipped: SkippedEvent[], mayAnswerFor: (sender: string) => boolean): void {
  rsvps.sort(byTsThenId);
  const latest = new Map<string, Map<string, Rsvp>>();
  for (const env of rsvps) {
    const parsed = parseEventRsvp(env.content);
    if (!parsed.ok) {
      skipped.push({ eventId: env.eventId, reason: parsed.reason });
      continue;
    }
    if (!events.has(parsed.value.root)) {
      skipped.push({ eventId: env.eventId, reason: "references no known event" });
      continue;
    }
    // An answer mirrored from CalDAV by the bot counts as the member's own (latest wins).
    const who = parsed.value.onBehalfOf ?? env.sender;
    if (who !== env.sender && !mayAnswerFor(env.sender)) {
      skipped.push({ eventId: env.eventId, reason: "on_behalf_of needs the calendar's cancel level" });
      continue;
    }
    const perEvent = latest.get(parsed.value.root) ?? new Map<string, Rsvp>();
    const rid = parsed.value.recurrenceId;
    const rsvp: Rsvp = { userId: who, status: parsed.value.status };
    if (rid !== undefined) rsvp.recurrenceId = rid;
    perEvent.set(`${who}\u0000${rid === undefined ? "" : dateKey(rid)}`, rsvp);
    latest.set(parsed.value.root, perEvent);
  }
  for (const [root, perEvent] of latest) {
    const ev = events.get(root);
    if (ev === undefined) continue;
    ev.rsvps = [...perEvent.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
}

/** The answer of one member for one occurrence (or the series): occurrence first, then series. */
export function rsvpOf(ev: CalendarEvent, userId: string, recurrenceId?: CalendarDate): RsvpStatus | undefined {
  const key = recurrenceId === undefined ? undefined : dateKey(recurrenceId);
  const exact = ev.rsvps.find((r) => r.userId === userId && r.recurrenceId !== undefined && dateKey(r.recurrenceId) === key);
  return (exact ?? ev.rsvps.find((r) => r.userId === userId && r.recurrenceId === undefined))?.status;
}
