import assert from "node:assert/strict";
import type { IRoomEvent } from "matrix-widget-api";
import { eventMeetingIds } from "../../../../appservices/protocol/src/calendar/calendar-video.ts";
import { elementJitsiContent } from "../../../../widgets/jitsi/src/element-jitsi-reference.ts";
import { listAccountWidgets, withAccountWidget, withoutAccountWidget } from "./account-widgets.ts";
import { joinEventMeeting } from "./event-meeting-join.ts";
import { approvalKey, MemoryApprovalStore } from "./capability-approvals.ts";
import { EntenteWidgetDriver } from "./widget-driver.ts";
import type { RoomWidgetsPort } from "./room-widgets-port.ts";

const ROOM = "!voirie:ville-a.fr";
const ME = "@anne:ville-a.fr";

function fakePort(o: { myLevel: number; state?: IRoomEvent[] }): RoomWidgetsPort & { written: unknown[][] } {
  const state = [...(o.state ?? [])];
  const written: unknown[][] = [];
  return {
    userId: ME, written, deviceId: undefined, baseUrl: "https://matrix.ville-a.fr",
    sendEvent: async () => "$e",
    sendStateEvent: async (roomId, type, content, stateKey) => { written.push([roomId, type, content, stateKey]); return "$s"; },
    timeline: () => [],
    stateEvents: (_r, type) => state.filter((e) => e.type === type),
    relations: async () => ({ chunk: [], nextBatch: undefined, prevBatch: undefined }),
    openIdToken: async () => ({ access_token: "t", token_type: "Bearer", matrix_server_name: "x", expires_in: 1 }),
    roomName: () => "Voirie", me: () => ({ displayName: "Anne", avatarHttpUrl: undefined }),
    powerLevels: () => ({ users: { [ME]: o.myLevel }, state_default: 50 }), creators: () => [],
    onLiveEvent: () => () => undefined, accountWidgets: () => undefined, setAccountWidgets: async () => undefined, myTimeZone: async () => undefined,
  };
}

const CONFIG = { baseUrl: "https://widgets.ville-a.fr/", jitsiDomains: ["meet.ville-a.fr"] };
const EV = { roomId: ROOM, uid: "commission@ville-a.fr", summary: "Commission", video: { kind: "jitsi" as const } };

describe("client widgets: account widgets and calendar event meetings", () => {
  it("writes m.widgets in Element's shape, keeps foreign entries, removes by id", () => {
    const foreign = { other: { content: { type: "m.custom", url: "https://x/", name: "X", data: {} }, sender: ME, state_key: "other", type: "m.widget", id: "other" }, junk: 3 };
    const added = withAccountWidget(foreign, "pad1", { type: "m.custom", url: "https://pad.example/", name: "Pad", data: {} }, ME);
    assert.deepEqual(added["pad1"], { content: { id: "pad1", type: "m.custom", url: "https://pad.example/", name: "Pad", data: {}, creatorUserId: ME }, sender: ME, state_key: "pad1", type: "m.widget", id: "pad1" });
    assert.equal(added["junk"], 3, "an entry we cannot read is kept");
    assert.deepEqual(listAccountWidgets(added, ME).map((w) => (w.kind === "widget" ? w.widget.name : `invalid:${w.id}`)), ["invalid:junk", "Pad", "X"]);
    assert.deepEqual(Object.keys(withoutAccountWidget(added, "pad1")).sort(), ["junk", "other"]);
    assert.deepEqual(listAccountWidgets(undefined, ME), []);
  });

  it("adds the event's meeting under its derived id when missing and allowed, then opens it", async () => {
    const port = fakePort({ myLevel: 50 });
    const out = await joinEventMeeting(port, CONFIG, EV);
    const ids = eventMeetingIds(EV.uid);
    assert.deepEqual(out, { kind: "open", widgetId: ids.widgetId, added: true });
    const [roomId, type, content, stateKey] = port.written[0] ?? [];
    assert.deepEqual([roomId, type, stateKey], [ROOM, "im.vector.modular.widgets", ids.widgetId]);
    assert.deepEqual(content, JSON.parse(JSON.stringify(elementJitsiContent("https://widgets.ville-a.fr/jitsi/index.html", ids.conferenceId, "Commission", false, "meet.ville-a.fr", "Visio : Commission"))));
  });

  it("opens an existing meeting without writing; refuses to add without the power level or a domain", async () => {
    const ids = eventMeetingIds(EV.uid);
    const existing: IRoomEvent = { type: "im.vector.modular.widgets", state_key: "byhand", content: elementJitsiContent("https://app.element.io/jitsi.html", ids.conferenceId, "C", false, "meet.jit.si"), sender: "@b:x", event_id: "$w", room_id: ROOM, origin_server_ts: 1, unsigned: {} };
    const member = fakePort({ myLevel: 0, state: [existing] });
    assert.deepEqual(await joinEventMeeting(member, CONFIG, EV), { kind: "open", widgetId: "byhand", added: false });
    assert.equal(member.written.length, 0);
    const noPower = fakePort({ myLevel: 0 });
    assert.deepEqual(await joinEventMeeting(noPower, CONFIG, EV), { kind: "refused", reason: "calEventMeetingNoPower" });
    assert.deepEqual(await joinEventMeeting(fakePort({ myLevel: 100 }), { ...CONFIG, jitsiDomains: [] }, EV), { kind: "refused", reason: "calEventMeetingNoDomain" });
    assert.deepEqual(await joinEventMeeting(fakePort({ myLevel: 100 }), CONFIG, { ...EV, video: { kind: "jitsi", url: "https://evil.example/x" } }), { kind: "refused", reason: "calEventMeetingDomainRefused" });
    assert.equal(noPower.written.length, 0);
  });

  it("runs an account widget opened outside any room with no room at all; its approvals are keyed per widget, not per room", async () => {
    const port = fakePort({ myLevel: 100 });
    const d = new EntenteWidgetDriver({
      client: port, roomId: undefined, widgetName: "Pad", approvalKey: approvalKey(undefined, "pad1", "https://pad.example/p"), approvals: new MemoryApprovalStore(),
      prompts: { askCapabilities: async (_n, req) => new Set(req), askOpenId: async () => false }, navigate: async () => undefined,
    });
    await assert.rejects(d.sendEvent("fr.entente.note", { text: "x" }), /aucun salon/);
    await assert.rejects(d.readRoomState(ROOM, "m.room.name", ""), /aucun salon/);
    assert.deepEqual(d.getKnownRooms(), []);
    assert.equal(port.written.length, 0);
    assert.equal(approvalKey(undefined, "pad1", "https://pad.example/p"), "account|pad1|https://pad.example");
  });
});
