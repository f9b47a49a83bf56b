import assert from "node:assert/strict";
import { parseWidgetsConfig } from "./widgets-config.ts";
import { planMeeting, roomMeeting } from "./meeting.ts";
import { frameModes } from "./stage-model.ts";
import { customWidgetContent, permalinkRoomId } from "./widget-edit.ts";
import { canManageWidgets, privilegedCreators, roomWidgets } from "./room-widgets.ts";
import { SeenEvents } from "./widget-host.ts";
import { elementJitsiContent, jitsiShapeDifferences } from "../../../../widgets/jitsi/src/element-jitsi-reference.ts";

const CLIENT = "http://127.0.0.1:8080/";

describe("client widgets: room panel logic", () => {
  it("reads the widgets section of config.json, with safe defaults", () => {
    assert.deepEqual(parseWidgetsConfig({ widgets: { base_url: "http://127.0.0.1:8081", jitsi_domains: ["Meet.Ville-A.fr", 3, "bad domain/x"] } }, CLIENT),
      { baseUrl: "http://127.0.0.1:8081/", jitsiDomains: ["meet.ville-a.fr"] });
    assert.deepEqual(parseWidgetsConfig({}, CLIENT), { baseUrl: "http://127.0.0.1:8080/widgets/", jitsiDomains: [] });
    assert.equal(parseWidgetsConfig({ widgets: { base_url: "javascript:alert(1)" } }, CLIENT).baseUrl, "http://127.0.0.1:8080/widgets/");
    assert.equal(parseWidgetsConfig(null, CLIENT).jitsiDomains.length, 0);
  });

  it("plans an instant meeting in Element's exact shape, with a message carrying the link", () => {
    let i = 0;
    const plan = planMeeting({ domain: "meet.ville-a.fr", wrapperUrl: "https://w.ville-a.fr/jitsi/index.html", roomName: "Voirie", random: () => ((i++ * 37) % 100) / 100 });
    const confId = plan.content.data.conferenceId;
    assert.match(confId, /^Jitsi[A-Z][a-z]{23}$/);
    assert.match(plan.widgetId, /^[A-Za-z0-9]{24}$/);
    assert.deepEqual(jitsiShapeDifferences(plan.content, elementJitsiContent("https://w.ville-a.fr/jitsi/index.html", confId, "Voirie", false, "meet.ville-a.fr")), []);
    assert.equal(plan.link, `https://meet.ville-a.fr/${confId}`);
    assert.equal(plan.message.body, `Réunion vidéo démarrée : ${plan.link}`);
    assert.match(plan.message.formatted_body, new RegExp(`<a href="${plan.link}">`));
  });

  it("finds the room's meeting among its widgets; malformed ones are listed with a reason", () => {
    const ev = (stateKey: string, content: unknown) => ({ type: "im.vector.modular.widgets", state_key: stateKey, content, sender: "@a:x", event_id: `$${stateKey}`, room_id: "!r:x", origin_server_ts: 1, unsigned: {} });
    const listed = roomWidgets([
      ev("a", { type: "m.custom", url: "https://pad.example/", name: "Pad" }),
      ev("b", elementJitsiContent("https://app.element.io/jitsi.html", "JitsiAbcdefghijklmnopqrstuvw", "R", false, "meet.example.org")),
      ev("c", {}),
      ev("d", { type: "m.custom" }),
    ] as never);
    assert.deepEqual(listed.map((w) => w.kind), ["widget", "widget", "invalid"]);
    assert.equal(roomMeeting(listed)?.widget.id, "b");
    assert.equal(roomMeeting(listed.slice(0, 1)), undefined);
  });

  it("keeps a meeting running small in another room; closes other widgets; closes removed ones everywhere", () => {
    const frames = [{ key: "A|meet", roomId: "A", alwaysOnScreen: true }, { key: "A|pad", roomId: "A", alwaysOnScreen: false }];
    const all = () => true;
    assert.deepEqual([...frameModes(frames, { roomId: "A", panelOpen: true, openKey: "A|meet" }, all)], [["A|meet", "panel"], ["A|pad", "close"]]);
    assert.deepEqual([...frameModes(frames, { roomId: "B", panelOpen: true, openKey: undefined }, all)], [["A|meet", "pip"], ["A|pad", "close"]]);
    assert.deepEqual([...frameModes(frames, { roomId: "A", panelOpen: false, openKey: "A|meet" }, all)], [["A|meet", "pip"], ["A|pad", "close"]]);
    assert.deepEqual([...frameModes(frames.slice(0, 1), { roomId: "B", panelOpen: false, openKey: undefined }, () => false)], [["A|meet", "close"]]);
  });

  it("adds custom widgets only with a loadable URL and a name; permalinks give a room id", () => {
    assert.deepEqual(customWidgetContent(" Pad ", "https://pad.example/p?u=$matrix_user_id", []), { ok: true, content: { type: "m.custom", url: "https://pad.example/p?u=$matrix_user_id", name: "Pad", data: {} } });
    assert.equal(customWidgetContent("Pad", "http://pad.example/", []).ok, false);
    assert.equal(customWidgetContent("Pad", "http://127.0.0.1:8081/tasks/", ["http://127.0.0.1:8081"]).ok, true);
    assert.equal(customWidgetContent("", "https://pad.example/", []).ok, false);
    assert.equal(customWidgetContent("Pad", "not a url", []).ok, false);
    assert.equal(permalinkRoomId("https://matrix.to/#/!abc:ville-a.fr?via=x"), "!abc:ville-a.fr");
    assert.equal(permalinkRoomId("matrix:roomid/abc:ville-a.fr"), "!abc:ville-a.fr");
    assert.equal(permalinkRoomId("https://matrix.to/#/#alias:x"), undefined);
  });

  it("counts the creators of a version 12 room as able to manage widgets, whatever power_levels says", () => {
    const pl = { users: {}, state_default: 50 };
    assert.deepEqual(privilegedCreators({ room_version: "12", additional_creators: ["@b:x", 3] }, "@a:x"), ["@a:x", "@b:x"]);
    assert.deepEqual(privilegedCreators({ room_version: "11" }, "@a:x"), []);
    assert.deepEqual(privilegedCreators({}, "@a:x"), []);
    assert.equal(canManageWidgets(pl, "@a:x", privilegedCreators({ room_version: "12" }, "@a:x")), true);
    assert.equal(canManageWidgets(pl, "@c:x", privilegedCreators({ room_version: "12" }, "@a:x")), false);
    assert.equal(canManageWidgets(pl, "@a:x", privilegedCreators({ room_version: "10" }, "@a:x")), false);
  });

  it("hands each live event to a widget once", () => {
    const seen = new SeenEvents(2);
    assert.deepEqual(["$1", "$1", "$2", "$3", "$1"].map((id) => seen.firstTime(id)), [true, false, true, true, true], "bounded: the oldest id is forgotten");
  });
});
