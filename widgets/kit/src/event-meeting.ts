// The Jitsi meeting of a calendar event (`fr.entente.event` with `video`), for the calendar widget
// and our client alike: find the room's widget for it, or build the one to add. The ids come from
// the protocol (appservices/protocol/src/calendar/calendar-video.ts: derived from the room id and
// the event's UID, so concurrent adders write the same state event), the content from the Jitsi
// builder in Element's exact shape (widgets/jitsi/src/jitsi-widget.ts), so Element opens it too;
// only its name differs from Element's « Jitsi » (Element reads the type, not the name).
import { eventMeeting, jitsiMeetingLink } from "../../../appservices/protocol/src/calendar/calendar-video.ts";
import type { VideoMeeting } from "../../../appservices/protocol/src/calendar/calendar-fields.ts";
import { buildJitsiWidgetContent, JITSI_TYPES, normaliseDomain, type JitsiWidgetContent } from "../../jitsi/src/jitsi-widget.ts";
import type { WidgetDefinition } from "./widget-state.ts";

export interface CalendarEventMeeting {
  roomId: string;
  /** The event's iCalendar UID (`fr.entente.event.uid`). */
  uid: string;
  summary: string;
  video: VideoMeeting;
}

/** Why no widget can be built; callers word it (French and English live in each app). */
export type EventMeetingRefusal = "unreadable-link" | "no-jitsi-domain" | "domain-not-allowed";

export type EventMeetingWidget =
  | { ok: true; widgetId: string; content: JitsiWidgetContent; link: string }
  | { ok: false; reason: EventMeetingRefusal };

/** Longest meeting name kept whole, in characters (a widget's name is shown in tabs and in Element's room info). */
const NAME_MAX = 60;

/**
 * The widget's name: « Visio : <the event's title> », so a room's meetings are told apart (in our
 * client's widget tabs and Element's extensions list) instead of all reading « Jitsi ».
 */
export function eventMeetingName(summary: string): string {
  const title = summary.trim().replace(/\s+/g, " ");
  const name = `Visio : ${title === "" ? "réunion" : title}`;
  // Cut by code points: a cut inside an emoji's surrogate pair would leave a lone surrogate, which
  // canonical JSON refuses (the widget's state event could not be sent).
  const chars = [...name];
  return chars.length <= NAME_MAX ? name : `${chars.slice(0, NAME_MAX - 1).join("").trimEnd()}…`;
}

/**
 * The room's widget for this event's meeting, if it exists: the derived widget id first, else any
 * Jitsi widget on the same conference (added by hand, or by Element from the link).
 */
export function findEventMeetingWidget(widgets: readonly WidgetDefinition[], ev: CalendarEventMeeting): WidgetDefinition | undefined {
  const m = eventMeeting(ev.uid, ev.video);
  if (m.kind !== "jitsi") return undefined;
  const jitsi = widgets.filter((w) => JITSI_TYPES.includes(w.type));
  return jitsi.find((w) => w.id === m.widgetId) ?? jitsi.find((w) => w.data["conferenceId"] === m.conferenceId);
}

/**
 * The widget to add for the event. Domain: the one of `video.url` when set (it must be on the
 * council's allow-list, or the wrapper would refuse it anyway), otherwise the allow-list's first.
 */
export function eventMeetingWidget(ev: CalendarEventMeeting, o: { wrapperUrl: string; jitsiDomains: readonly string[] }): EventMeetingWidget {
  const m = eventMeeting(ev.uid, ev.video);
  if (m.kind !== "jitsi") return { ok: false, reason: "unreadable-link" };
  const allowed = o.jitsiDomains.map(normaliseDomain);
  const domain = m.domain ?? allowed[0];
  if (domain === undefined) return { ok: false, reason: "no-jitsi-domain" };
  if (!allowed.includes(domain)) return { ok: false, reason: "domain-not-allowed" };
  const content = buildJitsiWidgetContent({ wrapperUrl: o.wrapperUrl, domain, conferenceId: m.conferenceId, roomName: ev.summary, isAudioOnly: false, name: eventMeetingName(ev.summary) });
  return { ok: true, widgetId: m.widgetId, content, link: jitsiMeetingLink(domain, m.conferenceId) };
}
