// Element's Jitsi widget content, written out by hand from element-web's WidgetUtils.addJitsiWidget
// and getLocalJitsiWrapperUrl (legacy type "jitsi", data keys in its order, `auth` absent for
// unauthenticated Jitsi, `avatar_url` absent): the reference ours is compared with, field by
// field and key order, in jitsi-widget.test.ts and on the wire in tests/browser/room-widgets.test.ts.
export const ELEMENT_JITSI_FRAGMENT = "conferenceDomain=$domain&conferenceId=$conferenceId&isAudioOnly=$isAudioOnly&isVideoChannel=$isVideoChannel" +
  "&displayName=$matrix_display_name&avatarUrl=$matrix_avatar_url&userId=$matrix_user_id&roomId=$matrix_room_id" +
  "&theme=$theme&roomName=$roomName&supportsScreensharing=true&language=$org.matrix.msc2873.client_language";

/** `wrapperPage`: Element's jitsi.html (or our wrapper page), without query or fragment. */
export function elementJitsiContent(wrapperPage: string, confId: string, roomName: string | undefined, audio: boolean, domain: string, name = "Jitsi"): Record<string, unknown> {
  return JSON.parse(JSON.stringify({
    type: "jitsi",
    url: `${wrapperPage}?confId=${confId}#${ELEMENT_JITSI_FRAGMENT}`,
    name,
    data: { conferenceId: confId, roomName, isAudioOnly: audio, isVideoChannel: false, domain, auth: undefined },
    avatar_url: undefined,
  })) as Record<string, unknown>;
}

/** Every difference between two widget contents as they travel (JSON): fields, values, key order. */
export function jitsiShapeDifferences(ours: unknown, theirs: Record<string, unknown>): string[] {
  const wire = JSON.parse(JSON.stringify(ours)) as Record<string, unknown>;
  const diffs: string[] = [];
  if (Object.keys(wire).join() !== Object.keys(theirs).join()) diffs.push(`top-level fields ${Object.keys(wire).join()} ≠ ${Object.keys(theirs).join()}`);
  for (const k of Object.keys(theirs)) if (JSON.stringify(wire[k]) !== JSON.stringify(theirs[k])) diffs.push(`${k}: ${JSON.stringify(wire[k])} ≠ ${JSON.stringify(theirs[k])}`);
  const keys = (o: unknown): string => (typeof o === "object" && o !== null ? Object.keys(o).join() : "");
  if (keys(wire["data"]) !== keys(theirs["data"])) diffs.push(`data fields ${keys(wire["data"])} ≠ ${keys(theirs["data"])}`);
  return diffs;
}
