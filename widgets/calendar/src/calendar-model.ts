// The widget's picture of the room calendar: every raw event it was given (read at start, pushed
// live, or just sent), the binding and the power levels, folded on demand with the protocol's
// foldCalendar, so the widget agrees with the bot and every other reader on the same events.
import { isServiceMember } from "../../../appservices/protocol/src/service-members.ts";
import { parseWidgetContent, ROOM_WIDGET_EVENT, type WidgetDefinition } from "../../kit/src/widget-state.ts";
import { MemberEventOrder, MemberLabels } from "../../kit/src/member-labels.ts";
import {
  CALENDAR_STATE, DEFAULT_CALENDAR_PERMISSIONS, EVENT_MSGTYPE, EVENT_RSVP, EVENT_UPDATE, ROOM_MESSAGE, foldCalendar, isObject, parseCalendarBinding, parseRoomPowerLevels, userLevel,
  type CalendarBinding, type CalendarEvent, type RoomPowerLevels,
} from "./protocol.ts";

export const POWER_LEVELS = "m.room.power_levels";
export { ROOM_WIDGET_EVENT } from "../../kit/src/widget-state.ts";
export const ROOM_CREATE = "m.room.create";
/** The room's members: their display names for organisers and attendees (as the task board names them). */
export const ROOM_MEMBER = "m.room.member";

export interface CalendarView {
  binding: CalendarBinding | undefined;
  levels: RoomPowerLevels;
  events: Map<string, CalendarEvent>;
  maxClock: number;
  skipped: number;
}

/** Is this raw event one the calendar cares about (root, update, RSVP, or the state it needs)? */
export function isCalendarEvent(raw: unknown): boolean {
  if (!isObject(raw) || typeof raw["type"] !== "string") return false;
  const { type, content } = raw;
  if (type === ROOM_MESSAGE) return isObject(content) && content["msgtype"] === EVENT_MSGTYPE;
  return type === EVENT_UPDATE || type === EVENT_RSVP || type === CALENDAR_STATE || type === POWER_LEVELS || type === ROOM_CREATE || type === ROOM_WIDGET_EVENT || type === ROOM_MEMBER;
}

/** What the fold will accept from `userId` on `ev` (the protocol's default permissions). */
export function allowedOn(view: Pick<CalendarView, "levels">, ev: CalendarEvent, userId: string): { edit: boolean; cancel: boolean } {
  const own = ev.creator === userId;
  const level = userLevel(view.levels, userId);
  return { edit: own || level >= DEFAULT_CALENDAR_PERMISSIONS.edit, cancel: own || level >= DEFAULT_CALENDAR_PERMISSIONS.cancel };
}

export class CalendarModel {
  readonly #timeline = new Map<string, unknown>();
  readonly #bindings = new Map<string, unknown>();
  readonly #widgets = new Map<string, { content: unknown; sender: string }>();
  #powerLevels: unknown = undefined;
  #create: { sender: string; content: unknown } | undefined;
  #cache: CalendarView | undefined;
  /** Joined and invited members' display names (undefined: none set). */
  readonly #members = new Map<string, string | undefined>();
  #labels: MemberLabels | undefined;
  readonly #memberOrder = new MemberEventOrder();

  /** Takes any raw event (timeline or state); returns true when the calendar may have changed. */
  add(raw: unknown): boolean {
    if (!isCalendarEvent(raw) || !isObject(raw)) return false;
    const type = raw["type"];
    if (type === ROOM_MEMBER) return this.#member(raw);
    if (typeof raw["state_key"] === "string" && (type === CALENDAR_STATE || type === POWER_LEVELS || type === ROOM_CREATE || type === ROOM_WIDGET_EVENT)) {
      if (type === CALENDAR_STATE) this.#bindings.set(raw["state_key"], raw["content"]);
      else if (type === ROOM_WIDGET_EVENT) this.#widgets.set(raw["state_key"], { content: raw["content"], sender: String(raw["sender"]) });
      else if (type === POWER_LEVELS) this.#powerLevels = raw["content"];
      else this.#create = { sender: String(raw["sender"]), content: raw["content"] };
    } else {
      const id = raw["event_id"];
      if (typeof id !== "string" || this.#timeline.has(id)) return false;
      this.#timeline.set(id, raw);
    }
    this.#cache = undefined;
    return true;
  }

  #member(raw: Record<string, unknown>): boolean {
    const userId = raw["state_key"];
    const content = isObject(raw["content"]) ? raw["content"] : {};
    if (typeof userId !== "string" || !this.#memberOrder.take(userId, raw)) return false;
    const name = typeof content["displayname"] === "string" && content["displayname"] !== "" ? content["displayname"] : undefined;
    if (content["membership"] === "join" || content["membership"] === "invite") this.#members.set(userId, name);
    else if (!this.#members.delete(userId)) return false;
    this.#labels = undefined;
    return true;
  }

  /** A person as the agent should read them: the member's name (told apart like the task board's), else as written. */
  memberName(userId: string): string {
    this.#labels ??= new MemberLabels([...this.#members].map(([id, displayName]) => ({ userId: id, displayName })));
    return this.#labels.label(userId);
  }

  /**
   * The room's invite level when `userId` is below it (the calendar bot then refuses to invite the
   * people they add from outside the room), undefined when they may invite.
   */
  inviteLevelAbove(userId: string): number | undefined {
    const pl = isObject(this.#powerLevels) ? this.#powerLevels : {};
    const needed = typeof pl["invite"] === "number" ? pl["invite"] : 0;
    return userLevel(parseRoomPowerLevels(this.#powerLevels, this.#create), userId) >= needed ? undefined : needed;
  }

  /** The people who may be invited from the form: joined and invited members, bots left out, by name. */
  people(): { userId: string; label: string }[] {
    return [...this.#members.keys()].filter((id) => !isServiceMember(id)).map((userId) => ({ userId, label: this.memberName(userId) }))
      .sort((a, b) => a.label.localeCompare(b.label, "fr") || (a.userId < b.userId ? -1 : 1));
  }

  /** The room's widgets (`im.vector.modular.widgets`), for the events' meetings. */
  widgets(): WidgetDefinition[] {
    return [...this.#widgets].flatMap(([id, w]) => {
      const r = parseWidgetContent(id, w.content, w.sender);
      return r.kind === "widget" ? [r.widget] : [];
    });
  }

  /** The first valid binding by state key ("agenda" is what the bot writes). */
  binding(): CalendarBinding | undefined {
    const keys = [...this.#bindings.keys()].sort();
    for (const k of keys) {
      const b = parseCalendarBinding(k, this.#bindings.get(k));
      if (b.ok) return b.value;
    }
    return undefined;
  }

  view(): CalendarView {
    if (this.#cache !== undefined) return this.#cache;
    const binding = this.binding();
    const levels = parseRoomPowerLevels(this.#powerLevels, this.#create);
    const r = foldCalendar({ events: this.#timeline.values(), levels, ...(binding === undefined ? {} : { anchor: binding.anchor }) });
    this.#cache = { binding, levels, events: r.events, maxClock: r.maxClock, skipped: r.skipped.length };
    return this.#cache;
  }
}
