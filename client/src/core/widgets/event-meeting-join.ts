// "Rejoindre la réunion" on a calendar event card (fr.entente.event with `video`): open the room's
// widget for the event's meeting, or add it first when it is missing and the agent's power level
// allows (same derived widget id on every client, so two agents clicking at once write one widget).
// The card (ui/calendar) only announces the click; the room's widget slot does this.
import { eventMeetingWidget, findEventMeetingWidget, type CalendarEventMeeting, type EventMeetingRefusal } from "../../../../widgets/kit/src/event-meeting.ts";
import { ROOM_WIDGET_EVENT } from "../../../../widgets/kit/src/widget-state.ts";
import type { MessageKey } from "../i18n/messages-fr.ts";
import { canManageWidgets, roomWidgets } from "./room-widgets.ts";
import type { RoomWidgetsPort } from "./room-widgets-port.ts";
import { jitsiWrapperUrl, type WidgetsConfig } from "./widgets-config.ts";

/** Window event a calendar card dispatches (bubbles, composed); handled by <ent-room-widgets>. */
export const CALENDAR_JOIN_EVENT = "entente-calendar-join";
export type CalendarJoinDetail = Omit<CalendarEventMeeting, "roomId">;

export type JoinOutcome = { kind: "open"; widgetId: string; added: boolean } | { kind: "refused"; reason: MessageKey };

const REFUSALS: Record<EventMeetingRefusal, MessageKey> = {
  "unreadable-link": "calEventMeetingUnreadable",
  "no-jitsi-domain": "calEventMeetingNoDomain",
  "domain-not-allowed": "calEventMeetingDomainRefused",
};

export async function joinEventMeeting(port: RoomWidgetsPort, config: WidgetsConfig, ev: CalendarEventMeeting): Promise<JoinOutcome> {
  const widgets = roomWidgets(port.stateEvents(ev.roomId, ROOM_WIDGET_EVENT, undefined)).flatMap((w) => (w.kind === "widget" ? [w.widget] : []));
  const found = findEventMeetingWidget(widgets, ev);
  if (found !== undefined) return { kind: "open", widgetId: found.id, added: false };
  if (!canManageWidgets(port.powerLevels(ev.roomId), port.userId, port.creators(ev.roomId))) return { kind: "refused", reason: "calEventMeetingNoPower" };
  const built = eventMeetingWidget(ev, { wrapperUrl: jitsiWrapperUrl(config), jitsiDomains: config.jitsiDomains });
  if (!built.ok) return { kind: "refused", reason: REFUSALS[built.reason] };
  await port.sendStateEvent(ev.roomId, ROOM_WIDGET_EVENT, { ...built.content }, built.widgetId);
  return { kind: "open", widgetId: built.widgetId, added: true };
}
