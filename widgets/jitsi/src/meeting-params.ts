// What the wrapper reads from its URL: the fragment Element's template expands (conferenceDomain,
// conferenceId, isAudioOnly, displayName, avatarUrl, roomName, language) plus the widget API's
// query parameters, read by the kit. Malformed → a refusal, never a half-configured meeting.
import type { WidgetParams } from "../../kit/src/widget-params.ts";
import { isValidDomain, normaliseDomain } from "./jitsi-widget.ts";

export interface MeetingParams {
  domain: string;
  conferenceId: string;
  isAudioOnly: boolean;
  roomName: string | undefined;
  displayName: string | undefined;
  avatarUrl: string | undefined;
  language: "fr" | "en";
}

export type MeetingParamsResult = { kind: "ok"; meeting: MeetingParams } | { kind: "invalid"; reason: string };

const CONFERENCE_ID = /^[^\s/?#@\\%&"'<>\p{Cc}]{1,200}$/u;

export function readMeetingParams(p: WidgetParams): MeetingParamsResult {
  const get = (k: string): string | undefined => {
    const v = p.raw.get(k);
    return v === undefined || v === "" || /^\$[\w.]+$/.test(v) ? undefined : v;
  };
  const domain = normaliseDomain(get("conferenceDomain") ?? "");
  if (!isValidDomain(domain)) return { kind: "invalid", reason: "domaine Jitsi manquant ou invalide" };
  const conferenceId = get("conferenceId") ?? get("confId");
  if (conferenceId === undefined || !CONFERENCE_ID.test(conferenceId)) return { kind: "invalid", reason: "identifiant de conférence manquant ou invalide" };
  return {
    kind: "ok",
    meeting: {
      domain,
      conferenceId,
      isAudioOnly: get("isAudioOnly") === "true",
      roomName: get("roomName")?.slice(0, 255),
      displayName: p.displayName,
      avatarUrl: p.avatarUrl,
      language: p.language,
    },
  };
}

/** Options for `new JitsiMeetExternalAPI(domain, options)`; parentNode is added by the caller. */
export interface ExternalApiOptions {
  roomName: string;
  width: string;
  height: string;
  lang: string;
  userInfo: { displayName?: string };
  configOverwrite: Record<string, unknown>;
  interfaceConfigOverwrite: Record<string, unknown>;
}

export function externalApiOptions(m: MeetingParams): ExternalApiOptions {
  return {
    roomName: m.conferenceId,
    width: "100%",
    height: "100%",
    lang: m.language,
    userInfo: m.displayName === undefined ? {} : { displayName: m.displayName },
    configOverwrite: {
      defaultLanguage: m.language,
      startAudioOnly: m.isAudioOnly,
      startWithVideoMuted: m.isAudioOnly,
      ...(m.roomName === undefined ? {} : { subject: m.roomName }),
      // Our client already knows the agent: no Jitsi sign-up prompts, no deep link to the app.
      disableDeepLinking: true,
      prejoinConfig: { enabled: true },
    },
    interfaceConfigOverwrite: { SHOW_JITSI_WATERMARK: false, SHOW_WATERMARK_FOR_GUESTS: false, MOBILE_APP_PROMO: false },
  };
}
