// Jitsi widgets in Element's wire format, so a meeting started in Element opens in our client and
// the other way round. Element writes the legacy type "jitsi" (WidgetType.JITSI, preferred
// "m.jitsi"), state_key = a random 24-character widget id, and ignores `url` when rendering: each
// client wraps the meeting in its own page from `data`. Field by field, as Element's
// WidgetUtils.addJitsiWidget builds it (checked in widgets/README.md and jitsi-widget.test.ts).
import type { WidgetDefinition } from "../../kit/src/widget-state.ts";

export const JITSI_TYPES: readonly string[] = ["jitsi", "m.jitsi"];
export const JITSI_LEGACY_TYPE = "jitsi";

/** `data` of a Jitsi widget, key order as Element writes it. */
export interface JitsiWidgetData {
  conferenceId: string;
  roomName: string | undefined;
  isAudioOnly: boolean;
  isVideoChannel: boolean;
  domain: string;
}

export interface JitsiWidgetContent {
  type: string;
  url: string;
  name: string;
  data: JitsiWidgetData;
}

/** The fragment Element puts after its jitsi.html; clients expand it, so it is kept verbatim. */
export const JITSI_URL_FRAGMENT = [
  "conferenceDomain=$domain",
  "conferenceId=$conferenceId",
  "isAudioOnly=$isAudioOnly",
  "isVideoChannel=$isVideoChannel",
  "displayName=$matrix_display_name",
  "avatarUrl=$matrix_avatar_url",
  "userId=$matrix_user_id",
  "roomId=$matrix_room_id",
  "theme=$theme",
  "roomName=$roomName",
  "supportsScreensharing=true",
  "language=$org.matrix.msc2873.client_language",
].join("&");

export interface NewJitsiWidget {
  /** Absolute URL of our wrapper page (https in production). */
  wrapperUrl: string;
  domain: string;
  conferenceId: string;
  roomName: string | undefined;
  isAudioOnly: boolean;
  isVideoChannel?: boolean;
  name?: string;
}

export function buildJitsiWidgetContent(w: NewJitsiWidget): JitsiWidgetContent {
  const url = new URL(w.wrapperUrl);
  url.search = "";
  url.searchParams.set("confId", w.conferenceId);
  url.hash = "";
  return {
    type: JITSI_LEGACY_TYPE,
    url: `${url.href}#${JITSI_URL_FRAGMENT}`,
    name: w.name ?? "Jitsi",
    data: { conferenceId: w.conferenceId, roomName: w.roomName, isAudioOnly: w.isAudioOnly, isVideoChannel: w.isVideoChannel ?? false, domain: w.domain },
  };
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const pick = (alphabet: string, n: number, random: () => number): string =>
  Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)] ?? "a").join("");

/** Element's unauthenticated conference id: "Jitsi", one upper-case letter, 23 lower-case ones. */
export function newConferenceId(random: () => number): string {
  return `Jitsi${pick(LOWER.toUpperCase(), 1, random)}${pick(LOWER, 23, random)}`;
}

/** Element's widget id: 24 random letters and digits (it must be globally unique). */
export function newWidgetId(random: () => number): string {
  return pick(ID_CHARS, 24, random);
}

export type JitsiWidgetResult = { kind: "jitsi"; widgetId: string; data: JitsiWidgetData } | { kind: "invalid"; reason: string };

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;
// Jitsi room names end up in a path and an XMPP JID: no separators, spaces or control characters.
const CONFERENCE_ID = /^[^\s/?#@\\%&"'<>\p{Cc}]{1,200}$/u;

export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, "");
}

export function isValidDomain(domain: string): boolean {
  return DOMAIN.test(domain);
}

/** Reads a Jitsi widget's data; anything malformed is refused with a reason the agent can read. */
export function parseJitsiWidget(w: WidgetDefinition): JitsiWidgetResult {
  if (!JITSI_TYPES.includes(w.type)) return { kind: "invalid", reason: "ce widget n'est pas une réunion Jitsi" };
  const { domain, conferenceId, isAudioOnly, isVideoChannel, roomName } = w.data;
  if (typeof domain !== "string" || !isValidDomain(normaliseDomain(domain))) return { kind: "invalid", reason: "domaine Jitsi manquant ou invalide" };
  if (typeof conferenceId !== "string" || !CONFERENCE_ID.test(conferenceId)) return { kind: "invalid", reason: "identifiant de conférence manquant ou invalide" };
  if (isAudioOnly !== undefined && typeof isAudioOnly !== "boolean") return { kind: "invalid", reason: "isAudioOnly doit être un booléen" };
  if (isVideoChannel !== undefined && typeof isVideoChannel !== "boolean") return { kind: "invalid", reason: "isVideoChannel doit être un booléen" };
  return {
    kind: "jitsi",
    widgetId: w.id,
    data: {
      conferenceId,
      roomName: typeof roomName === "string" ? roomName.slice(0, 255) : undefined,
      isAudioOnly: isAudioOnly ?? false,
      isVideoChannel: isVideoChannel ?? false,
      domain: normaliseDomain(domain),
    },
  };
}
