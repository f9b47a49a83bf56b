// Where "Rejoindre la réunion" goes for an event with `video`: its `video.url` (the calendar bot
// writes it), otherwise the room's Jitsi widget for that event, found with the kit's helper (the
// derived widget id, or any Jitsi widget on the derived conference), as its plain https link.
import { findEventMeetingWidget } from "../../kit/src/event-meeting.ts";
import type { WidgetDefinition } from "../../kit/src/widget-state.ts";
import { jitsiMeetingLink } from "../../../appservices/protocol/src/calendar/calendar-video.ts";
import type { CalendarEvent } from "./protocol.ts";

export function meetingLink(ev: Pick<CalendarEvent, "uid" | "summary" | "video">, widgets: readonly WidgetDefinition[], roomId: string): string | undefined {
  if (ev.video === null) return undefined;
  if (ev.video.url !== undefined) return ev.video.url;
  const w = findEventMeetingWidget(widgets, { roomId, uid: ev.uid, summary: ev.summary, video: ev.video });
  const domain = w?.data["domain"];
  const conference = w?.data["conferenceId"];
  return typeof domain === "string" && typeof conference === "string" ? jitsiMeetingLink(domain, conference) : undefined;
}
