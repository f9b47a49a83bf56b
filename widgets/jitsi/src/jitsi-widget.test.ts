import assert from "node:assert/strict";
import { parseWidgetContent, type WidgetDefinition } from "../../kit/src/widget-state.ts";
import { expandUrlTemplate, templateVariables } from "../../kit/src/url-template.ts";
import { buildJitsiWidgetContent, newConferenceId, newWidgetId, parseJitsiWidget } from "./jitsi-widget.ts";
import { elementJitsiContent, jitsiShapeDifferences } from "./element-jitsi-reference.ts";

const elementShape = (wrapperBase: string, confId: string, roomName: string, audio: boolean, domain: string): Record<string, unknown> =>
  elementJitsiContent(`${wrapperBase}jitsi.html`, confId, roomName, audio, domain);

const def = (content: unknown): WidgetDefinition => {
  const r = parseWidgetContent("wid", content, "@a:x");
  if (r.kind !== "widget") throw new Error(r.kind);
  return r.widget;
};

describe("jitsi widget: Element's wire format", () => {
  it("builds the state content field by field as Element does", () => {
    const ours = buildJitsiWidgetContent({ wrapperUrl: "https://app.ville-a.fr/jitsi.html", domain: "meet.ville-a.fr", conferenceId: "JitsiAbcdefghijklmnopqrstuvw", roomName: "Voirie", isAudioOnly: true });
    const theirs = elementShape("https://app.ville-a.fr/", "JitsiAbcdefghijklmnopqrstuvw", "Voirie", true, "meet.ville-a.fr");
    const wire = JSON.parse(JSON.stringify(ours)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(wire), Object.keys(theirs), "same top-level fields");
    for (const k of Object.keys(theirs)) assert.deepEqual(wire[k], theirs[k], `field ${k}`);
    assert.deepEqual(Object.keys(wire["data"] as object), Object.keys(theirs["data"] as object), "same data fields, same order");
    assert.deepEqual(jitsiShapeDifferences(ours, theirs), []);
    assert.notDeepEqual(jitsiShapeDifferences({ ...ours, data: { ...ours.data, domain: "x" } }, theirs), [], "the comparison sees a changed value");
    assert.notDeepEqual(jitsiShapeDifferences({ name: ours.name, type: ours.type, url: ours.url, data: ours.data }, theirs), [], "and a changed key order");
  });

  it("reads Element's content (and ours) back, with the templates expanding to the meeting", () => {
    const theirs = elementShape("https://app.element.io/", "JitsiQwertyuiopasdfghjklzxc", "Réunion", false, "Meet.Example.org");
    const parsed = parseJitsiWidget(def(theirs));
    assert.deepEqual(parsed, { kind: "jitsi", widgetId: "wid", data: { conferenceId: "JitsiQwertyuiopasdfghjklzxc", roomName: "Réunion", isAudioOnly: false, isVideoChannel: false, domain: "meet.example.org" } });
    const expanded = new URL(expandUrlTemplate(theirs["url"] as string, templateVariables(def(theirs).data, {
      userId: "@a:x", roomId: "!r:x", displayName: "Anne", avatarHttpUrl: undefined, widgetId: "wid", clientId: "c", theme: "light", language: "fr", deviceId: undefined, baseUrl: undefined,
    })));
    const frag = new URLSearchParams(expanded.hash.slice(1));
    assert.equal(frag.get("conferenceDomain"), "Meet.Example.org");
    assert.equal(frag.get("conferenceId"), "JitsiQwertyuiopasdfghjklzxc");
    assert.equal(frag.get("displayName"), "Anne");
    assert.equal(frag.get("language"), "fr");
    assert.equal(frag.get("isAudioOnly"), "false");
  });

  it("refuses malformed Jitsi data with a reason", () => {
    const base = { type: "jitsi", url: "https://x/jitsi.html", data: { domain: "meet.example.org", conferenceId: "Conf" } };
    assert.equal(parseJitsiWidget(def(base)).kind, "jitsi");
    const bad: Array<[string, Record<string, unknown>]> = [
      ["not jitsi", { ...base, type: "m.custom" }],
      ["no domain", { ...base, data: { conferenceId: "Conf" } }],
      ["domain with a path", { ...base, data: { domain: "evil.example/x", conferenceId: "Conf" } }],
      ["domain with credentials", { ...base, data: { domain: "a@evil.example", conferenceId: "Conf" } }],
      ["conference id with a slash", { ...base, data: { domain: "meet.example.org", conferenceId: "../x" } }],
      ["empty conference id", { ...base, data: { domain: "meet.example.org", conferenceId: "" } }],
      ["string boolean", { ...base, data: { domain: "meet.example.org", conferenceId: "Conf", isAudioOnly: "true" } }],
    ];
    for (const [what, content] of bad) {
      const r = parseJitsiWidget(def(content));
      assert.equal(r.kind, "invalid", what);
      assert.ok(r.kind === "invalid" && r.reason.length > 5, what);
    }
  });

  it("makes ids in Element's formats", () => {
    let i = 0;
    const random = () => ((i++ * 7919) % 1000) / 1000;
    assert.match(newConferenceId(random), /^Jitsi[A-Z][a-z]{23}$/);
    assert.match(newWidgetId(random), /^[A-Za-z0-9]{24}$/);
  });
});
