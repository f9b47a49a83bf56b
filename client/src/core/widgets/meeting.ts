// "Démarrer une réunion": the Jitsi widget in Element's exact shape (jitsi-widget.ts) plus the
// message posted in the room with a plain link, so members on any client (or none) can join.
import { buildJitsiWidgetContent, newConferenceId, newWidgetId, type JitsiWidgetContent } from "../../../../widgets/jitsi/src/jitsi-widget.ts";
import type { ListedWidget } from "./room-widgets.ts";
import { JITSI_TYPES } from "../../../../widgets/jitsi/src/jitsi-widget.ts";

export interface MeetingPlan {
  widgetId: string;
  content: JitsiWidgetContent;
  /** m.room.message content announcing the meeting. */
  message: { msgtype: "m.text"; body: string; format: "org.matrix.custom.html"; formatted_body: string };
  link: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function planMeeting(o: { domain: string; wrapperUrl: string; roomName: string | undefined; random: () => number }): MeetingPlan {
  const conferenceId = newConferenceId(o.random);
  const content = buildJitsiWidgetContent({ wrapperUrl: o.wrapperUrl, domain: o.domain, conferenceId, roomName: o.roomName, isAudioOnly: false });
  const link = `https://${o.domain}/${conferenceId}`;
  return {
    widgetId: newWidgetId(o.random),
    content,
    link,
    message: {
      msgtype: "m.text",
      body: `Réunion vidéo démarrée : ${link}`,
      format: "org.matrix.custom.html",
      formatted_body: `Réunion vidéo démarrée : <a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`,
    },
  };
}

/** The room's meeting, if any: the first valid Jitsi widget (by id, as the list is sorted). */
export function roomMeeting(widgets: readonly ListedWidget[]): ListedWidget & { kind: "widget" } | undefined {
  return widgets.find((w): w is ListedWidget & { kind: "widget" } => w.kind === "widget" && JITSI_TYPES.includes(w.widget.type));
}

/** Random numbers from WebCrypto (ids must be unguessable enough not to collide across clients). */
export function cryptoRandom(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return (a[0] ?? 0) / 2 ** 32;
}
