import assert from "node:assert/strict";
import { eventMeetingIds } from "../../../appservices/protocol/src/calendar/calendar-video.ts";
import { parseWidgetContent, type WidgetDefinition } from "../../kit/src/widget-state.ts";
import { meetingLink } from "./meeting-link.ts";

const ev = { uid: "commission@ville-a.fr", summary: "Commission", video: { kind: "jitsi" as const } };
const widget = (id: string, conferenceId: string): WidgetDefinition => {
  const r = parseWidgetContent(id, { type: "jitsi", url: "https://x/", name: "Jitsi", data: { conferenceId, domain: "meet.ville-a.fr", roomName: "Commission", isAudioOnly: false, isVideoChannel: false } }, "@a:x");
  if (r.kind !== "widget") throw new Error(r.kind);
  return r.widget;
};

describe("calendar widget: the meeting link", () => {
  it("takes video.url, else the room's Jitsi widget for the event (derived id), else nothing", () => {
    const ids = eventMeetingIds(ev.uid);
    assert.equal(meetingLink({ ...ev, video: { kind: "jitsi", url: "https://meet.jit.si/Abc" } }, [], "!r:x"), "https://meet.jit.si/Abc");
    assert.equal(meetingLink(ev, [widget(ids.widgetId, ids.conferenceId)], "!r:x"), `https://meet.ville-a.fr/${ids.conferenceId}`);
    assert.equal(meetingLink(ev, [widget("other", "JitsiSomethingElse")], "!r:x"), undefined);
    assert.equal(meetingLink({ ...ev, video: null }, [widget(ids.widgetId, ids.conferenceId)], "!r:x"), undefined);
  });
});
