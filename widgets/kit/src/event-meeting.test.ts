import assert from "node:assert/strict";
import { eventMeetingIds } from "../../../appservices/protocol/src/calendar/calendar-video.ts";
import { elementJitsiContent, jitsiShapeDifferences } from "../../jitsi/src/element-jitsi-reference.ts";
import { eventMeetingName, eventMeetingWidget, findEventMeetingWidget } from "./event-meeting.ts";
import { parseWidgetContent, type WidgetDefinition } from "./widget-state.ts";

const EV = { roomId: "!voirie:ville-a.fr", uid: "commission@ville-a.fr", summary: "Commission travaux", video: { kind: "jitsi" as const } };
const WRAPPER = "https://widgets.ville-a.fr/jitsi/index.html";
const def = (id: string, c: unknown): WidgetDefinition => {
  const r = parseWidgetContent(id, c, "@a:x");
  if (r.kind !== "widget") throw new Error(r.kind);
  return r.widget;
};

describe("widget kit: a calendar event's meeting", () => {
  it("builds Element's exact Jitsi widget on the derived conference, first allowed domain", () => {
    const ids = eventMeetingIds(EV.uid);
    const w = eventMeetingWidget(EV, { wrapperUrl: WRAPPER, jitsiDomains: ["meet.ville-a.fr", "meet.jit.si"] });
    assert.equal(w.ok, true);
    if (!w.ok) return;
    assert.equal(w.widgetId, ids.widgetId);
    assert.equal(w.link, `https://meet.ville-a.fr/${ids.conferenceId}`);
    assert.deepEqual(jitsiShapeDifferences(w.content, elementJitsiContent(WRAPPER, ids.conferenceId, "Commission travaux", false, "meet.ville-a.fr", "Visio : Commission travaux")), []);
  });

  it("names the meeting after its event, so a room's meetings are told apart, cut at 60 characters", () => {
    assert.equal(eventMeetingName("  Commission   travaux "), "Visio : Commission travaux");
    assert.equal(eventMeetingName(""), "Visio : réunion");
    const long = eventMeetingName("Comité de pilotage du schéma de cohérence territoriale intercommunal");
    assert.equal(long.length, 60);
    assert.match(long, /^Visio : Comité de pilotage du schéma de cohérence territori…$/);
    // An emoji across the cut: kept whole or left out, never half (a lone surrogate cannot be sent).
    const emoji = eventMeetingName(`${"a".repeat(50)}😀 suite`);
    assert.equal(emoji.isWellFormed(), true);
    assert.equal([...emoji].length, 60);
    assert.equal(emoji, `Visio : ${"a".repeat(50)}😀…`);
  });

  it("uses video.url's domain and conference when set; refuses a domain off the allow-list, no domain, an unreadable link", () => {
    const withUrl = { ...EV, video: { kind: "jitsi" as const, url: "https://meet.jit.si/CommissionTravaux" } };
    const w = eventMeetingWidget(withUrl, { wrapperUrl: WRAPPER, jitsiDomains: ["meet.ville-a.fr", "meet.jit.si"] });
    assert.deepEqual(w.ok ? [w.content.data.domain, w.content.data.conferenceId, w.link] : [], ["meet.jit.si", "CommissionTravaux", "https://meet.jit.si/CommissionTravaux"]);
    assert.deepEqual(eventMeetingWidget(withUrl, { wrapperUrl: WRAPPER, jitsiDomains: ["meet.ville-a.fr"] }), { ok: false, reason: "domain-not-allowed" });
    assert.deepEqual(eventMeetingWidget(EV, { wrapperUrl: WRAPPER, jitsiDomains: [] }), { ok: false, reason: "no-jitsi-domain" });
    assert.deepEqual(eventMeetingWidget({ ...EV, video: { kind: "jitsi", url: "https://meet.x/a/b" } }, { wrapperUrl: WRAPPER, jitsiDomains: ["meet.x"] }), { ok: false, reason: "unreadable-link" });
  });

  it("finds the room's widget by derived id, else by conference id; not another meeting", () => {
    const built = eventMeetingWidget(EV, { wrapperUrl: WRAPPER, jitsiDomains: ["meet.ville-a.fr"] });
    if (!built.ok) throw new Error(built.reason);
    const other = def("other", elementJitsiContent("https://app.element.io/jitsi.html", "JitsiAutrechosequinestpasla", "X", false, "meet.ville-a.fr"));
    assert.equal(findEventMeetingWidget([other], EV), undefined);
    assert.equal(findEventMeetingWidget([other, def(built.widgetId, built.content)], EV)?.id, built.widgetId);
    const byHand = def("byhand", elementJitsiContent("https://app.element.io/jitsi.html", built.content.data.conferenceId, "X", false, "meet.ville-a.fr"));
    assert.equal(findEventMeetingWidget([other, byHand], EV)?.id, "byhand");
    assert.equal(findEventMeetingWidget([def("pad", { type: "m.custom", url: "https://pad/", data: { conferenceId: built.content.data.conferenceId } })], EV), undefined);
  });
});
