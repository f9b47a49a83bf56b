// The video meeting of a calendar event (`video: {kind: "jitsi", url?}`), the same for everyone
// without anyone having to write it first: the conference and the room widget are derived from the
// event's UID, so two clients (or a client and the calendar bot, appservices/calendar/src/video/)
// that add the meeting at the same time write the same widget, and whoever reads the event finds
// it. Once `video.url` is set (the bot fills it, or it came from CalDAV), that link wins.
// Derivation, for other implementers: SHA-256 of "entente-conference:<uid>" / "entente-widget:<uid>"
// (UTF-8); character i is alphabet[byte[i] mod alphabet length]. Ids in Element's shapes
// (widgets/jitsi/src/jitsi-widget.ts): conference "Jitsi" + one upper-case + 23 lower-case
// letters, widget id 24 letters and digits. Whoever knows the UID can compute the conference name,
// as whoever receives the event's iCalendar file (CONFERENCE property) already knows the link:
// Jitsi rooms are only as private as their name, lobby and password settings make them.
import { sha256Utf8 } from "../sha256.ts";
import type { VideoMeeting } from "./calendar-fields.ts";

export interface EventMeetingIds {
  conferenceId: string;
  /** state_key of the room's `im.vector.modular.widgets` event for this meeting */
  widgetId: string;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const letters = (seed: string, alphabet: string): string => [...sha256Utf8(seed).subarray(0, 24)].map((b) => alphabet[b % alphabet.length] ?? "a").join("");

/** Derived ids of an event's meeting; `uid` is the event's iCalendar UID. */
export function eventMeetingIds(uid: string): EventMeetingIds {
  const l = letters(`entente-conference:${uid}`, LOWER);
  return { conferenceId: `Jitsi${l.slice(0, 1).toUpperCase()}${l.slice(1)}`, widgetId: letters(`entente-widget:${uid}`, ID_CHARS) };
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
export function eventMeeting(uid: string, video: VideoMeeting): EventMeeting {
  const ids = eventMeetingIds(uid);
  if (video.url === undefined) return { kind: "jitsi", domain: undefined, ...ids };
  const link = parseJitsiMeetingLink(video.url);
  if (link === undefined) return { kind: "unreadable", reason: "video.url n'est pas un lien https://<domaine>/<conférence>" };
  return { kind: "jitsi", domain: link.domain, conferenceId: link.conferenceId, widgetId: ids.widgetId };
}
