// The video meeting of a calendar event (`video: {kind: "jitsi", url?}`), the same for everyone
// without anyone having to write it first: the conference and the room widget are derived from the
// room id and the event's UID, so two clients (or a client and the bot) that add the meeting at
// the same time write the same widget, and whoever reads the event finds it. Once `video.url` is
// set (by the bot from CalDAV, or by a calendar client), that link wins.
// The room id is mixed in because the UID travels in iCalendar files to outside systems (CalDAV,
// invitations by e-mail); the room id does not, so knowing a UID is not enough to guess the meeting.
// Ids in Element's shapes (widgets/jitsi/src/jitsi-widget.ts): conference "Jitsi" + one upper-case
// + 23 lower-case letters; widget id 24 letters and digits.
import { sha256Utf8 } from "./sha256.ts";
import type { VideoMeeting } from "./calendar-fields.ts";

export interface EventMeetingIds {
  conferenceId: string;
  /** state_key of the room's `im.vector.modular.widgets` event for this meeting */
  widgetId: string;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const letters = (bytes: Uint8Array, alphabet: string): string => [...bytes].map((b) => alphabet[b % alphabet.length] ?? "a").join("");

/** Derived ids of an event's meeting; `uid` is the event's iCalendar UID. */
export function eventMeetingIds(roomId: string, uid: string): EventMeetingIds {
  const conf = sha256Utf8(`fr.entente.event.video|conference|${roomId}|${uid}`);
  const widget = sha256Utf8(`fr.entente.event.video|widget|${roomId}|${uid}`);
  return {
    conferenceId: `Jitsi${letters(conf.subarray(0, 1), LOWER.toUpperCase())}${letters(conf.subarray(1, 24), LOWER)}`,
    widgetId: letters(widget.subarray(0, 24), ID_CHARS),
  };
}

/** The plain link to a Jitsi conference (what `video.url` holds and the CONFERENCE property carries). */
export function jitsiMeetingLink(domain: string, conferenceId: string): string {
  return `https://${domain}/${encodeURIComponent(conferenceId)}`;
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;
const CONFERENCE_ID = /^[^\s/?#@\\%&"'<>\p{Cc}]{1,200}$/u;

/** `https://<domain>/<conference>` → its parts; anything else (a path deeper, a query) is not a Jitsi link we can open. */
export function parseJitsiMeetingLink(url: string): { domain: string; conferenceId: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" || u.search !== "" || u.username !== "" || u.password !== "") return undefined;
  const path = u.pathname.slice(1);
  let conferenceId: string;
  try {
    conferenceId = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (!DOMAIN.test(u.host) || !CONFERENCE_ID.test(conferenceId)) return undefined;
  return { domain: u.host, conferenceId };
}

export type EventMeeting =
  | { kind: "jitsi"; domain: string | undefined; conferenceId: string; widgetId: string }
  | { kind: "unreadable"; reason: string };

/**
 * Where an event's meeting is: from `video.url` when set (domain and conference from the link),
 * otherwise the derived conference with no domain yet (the adding client picks its council's).
 */
export function eventMeeting(roomId: string, uid: string, video: VideoMeeting): EventMeeting {
  const ids = eventMeetingIds(roomId, uid);
  if (video.url === undefined) return { kind: "jitsi", domain: undefined, ...ids };
  const link = parseJitsiMeetingLink(video.url);
  if (link === undefined) return { kind: "unreadable", reason: "video.url n'est pas un lien https://<domaine>/<conférence>" };
  return { kind: "jitsi", domain: link.domain, conferenceId: link.conferenceId, widgetId: ids.widgetId };
}
