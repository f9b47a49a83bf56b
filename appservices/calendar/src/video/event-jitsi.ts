// The Jitsi meeting of a calendar event, pure: the room widget in Element's exact shape (the same
// builder as the web client's "Démarrer une réunion", widgets/jitsi/src/jitsi-widget.ts) with a
// conference id and widget id derived from the event's UID, so every bot start, every council and
// every retry names the same meeting, and the link stored in the event's `video` field.
import { createHash } from "node:crypto";
import { buildJitsiWidgetContent, type JitsiWidgetContent } from "../../../../widgets/jitsi/src/jitsi-widget.ts";

export const ROOM_WIDGET_EVENT = "im.vector.modular.widgets";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function letters(seed: string, alphabet: string, n: number): string {
  const bytes = createHash("sha256").update(seed).digest();
  return Array.from({ length: n }, (_, i) => alphabet[(bytes[i % bytes.length] ?? 0) % alphabet.length] ?? "a").join("");
}

/** Element's conference id shape ("Jitsi" + 1 upper-case + 23 lower-case letters), from the UID. */
export function conferenceIdForUid(uid: string): string {
  const l = letters(`entente-conference:${uid}`, LOWER, 24);
  return `Jitsi${l.slice(0, 1).toUpperCase()}${l.slice(1)}`;
}

/** A 24-character widget id (Element's shape), from the UID. */
export function widgetIdForUid(uid: string): string {
  return letters(`entente-widget:${uid}`, ID_CHARS, 24);
}

export interface EventMeeting {
  widgetId: string;
  content: JitsiWidgetContent;
  /** https://<domain>/<conference id>: the event's `video.url` and the link for any client */
  link: string;
}

export function eventMeeting(o: { uid: string; summary: string; domain: string; wrapperUrl: string }): EventMeeting {
  const conferenceId = conferenceIdForUid(o.uid);
  return {
    widgetId: widgetIdForUid(o.uid),
    content: buildJitsiWidgetContent({ wrapperUrl: o.wrapperUrl, domain: o.domain, conferenceId, roomName: o.summary, isAudioOnly: false }),
    link: `https://${o.domain}/${conferenceId}`,
  };
}
