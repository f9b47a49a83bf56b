import assert from "node:assert/strict";
import { OpenIDRequestState, type IOpenIDUpdate, type IRoomEvent } from "matrix-widget-api";
import { approvalKey, MemoryApprovalStore } from "./capability-approvals.ts";
import { labelCapability } from "./capability-labels.ts";
import { EntenteWidgetDriver, type WidgetPrompts } from "./widget-driver.ts";
import type { WidgetClientPort } from "./widget-client-port.ts";
import { widgetFrameUrl, type FramePolicy } from "./widget-frame-url.ts";
import { canManageWidgets, roomWidgets } from "./room-widgets.ts";
import { parseWidgetContent, type WidgetDefinition } from "../../../../widgets/kit/src/widget-state.ts";

const ROOM = "!r:ville-a.fr";
const SEND = "org.matrix.msc2762.send.event:fr.entente.note";
const RECV = "org.matrix.msc2762.receive.event:fr.entente.note";

function fakeClient(): WidgetClientPort & { sent: unknown[] } {
  const timeline: IRoomEvent[] = [];
  const sent: unknown[] = [];
  return {
    userId: "@anne:ville-a.fr",
    sent,
    async sendEvent(roomId, type, content) { const id = `$${timeline.length}`; sent.push([roomId, type, content]); timeline.push({ type, content, event_id: id, room_id: roomId, sender: "@anne:ville-a.fr", origin_server_ts: 1, unsigned: {} }); return id; },
    async sendStateEvent(roomId, type, content, stateKey) { sent.push([roomId, type, content, stateKey]); return "$s"; },
    timeline: () => timeline,
    stateEvents: () => [],
    relations: async () => ({ chunk: [], nextBatch: undefined, prevBatch: undefined }),
    openIdToken: async () => ({ access_token: "tok", token_type: "Bearer", matrix_server_name: "ville-a.fr", expires_in: 3600 }),
  };
}

function driverWith(prompts: Partial<WidgetPrompts>, store = new MemoryApprovalStore(), client = fakeClient()) {
  const asked: string[][] = [];
  const d = new EntenteWidgetDriver({
    client, roomId: ROOM, widgetName: "Notes", approvalKey: approvalKey(ROOM, "w1", "https://w.example/x"), approvals: store,
    prompts: {
      askCapabilities: async (_n, req) => { asked.push([...req]); return (prompts.askCapabilities ?? (async () => new Set(req)))("Notes", req); },
      askOpenId: prompts.askOpenId ?? (async () => false),
    },
    navigate: async () => undefined,
  });
  return { d, asked, store, client };
}

describe("client widgets: driver", () => {
  it("asks once per widget, remembers approvals and refusals, grants only what was asked", async () => {
    const store = new MemoryApprovalStore();
    const first = driverWith({ askCapabilities: async () => new Set([SEND, "m.bogus.extra"]) }, store);
    assert.deepEqual([...(await first.d.validateCapabilities(new Set([SEND, RECV])))], [SEND]);
    const again = driverWith({}, store);
    assert.deepEqual([...(await again.d.validateCapabilities(new Set([SEND, RECV])))], [SEND]);
    assert.deepEqual(again.asked, [], "nothing asked the second time: refusal remembered too");
    const more = driverWith({}, store);
    await more.d.validateCapabilities(new Set([SEND, "m.always_on_screen"]));
    assert.deepEqual(more.asked, [["m.always_on_screen"]], "only the new capability is asked");
    assert.notEqual(approvalKey(ROOM, "w1", "https://w.example/x"), approvalKey(ROOM, "w1", "https://other.example/x"), "moved widget asks again");
  });

  it("sends and reads in its own room only, newest first, filtered by type", async () => {
    const { d, client } = driverWith({});
    await d.sendEvent("fr.entente.note", { text: "a" });
    await d.sendEvent("m.room.message", { msgtype: "m.text", body: "b" });
    await d.sendEvent("fr.entente.note", { text: "c" });
    const read = await d.readRoomTimeline(ROOM, "fr.entente.note", undefined, undefined, 10, undefined);
    assert.deepEqual(read.map((e) => (e.content as { text: string }).text), ["c", "a"]);
    await assert.rejects(d.sendEvent("fr.entente.note", { text: "x" }, null, "!other:x"));
    await assert.rejects(d.readRoomTimeline("!other:x", "fr.entente.note", undefined, undefined, 10, undefined));
    assert.equal(client.sent.length, 3);
  });

  it("reads through the port's recentTimeline when it has one (only the events returned are copied)", async () => {
    const client = fakeClient();
    const asked: unknown[] = [];
    client.timeline = () => assert.fail("the whole timeline was copied");
    client.recentTimeline = (roomId, match, limit, since) => {
      asked.push([roomId, match, limit, since]);
      return [{ type: "m.room.member", content: {}, event_id: "$m", room_id: ROOM, sender: "@anne:ville-a.fr", origin_server_ts: 1, unsigned: {}, state_key: "@anne:ville-a.fr" }];
    };
    const { d } = driverWith({}, new MemoryApprovalStore(), client);
    assert.deepEqual((await d.readRoomTimeline(ROOM, "m.room.member", undefined, "@anne:ville-a.fr", 5, "$since")).map((e) => e.event_id), ["$m"]);
    assert.deepEqual(asked, [[ROOM, { type: "m.room.member", msgtype: undefined, stateKey: "@anne:ville-a.fr" }, 5, "$since"]]);
  });

  it("hands an OpenID token only after consent", async () => {
    const updates = (d: EntenteWidgetDriver) => new Promise<IOpenIDUpdate>((resolve) => d.askOpenID({ update: resolve } as never));
    assert.equal((await updates(driverWith({ askOpenId: async () => false }).d)).state, OpenIDRequestState.Blocked);
    const ok = await updates(driverWith({ askOpenId: async () => true }).d);
    assert.equal(ok.state, OpenIDRequestState.Allowed);
    assert.equal(ok.token?.access_token, "tok");
  });

  it("navigates to Matrix permalinks only", async () => {
    const { d } = driverWith({});
    await d.navigate("https://matrix.to/#/!r:ville-a.fr");
    await assert.rejects(d.navigate("https://evil.example/"));
    await assert.rejects(d.navigate("javascript:alert(1)"));
  });

  it("labels capabilities in French, unknown ones shown raw", () => {
    assert.match(labelCapability(SEND).label, /^Envoyer des événements « fr\.entente\.note »/);
    assert.match(labelCapability("org.matrix.msc2762.receive.event:m.room.message#m.location").label, /^Lire des messages de type « m\.location »/);
    assert.match(labelCapability("m.always_on_screen").label, /changez de salon/);
    assert.equal(labelCapability("x.y").label, "Capacité inconnue : x.y");
  });
});

describe("client widgets: frame URLs and room widgets", () => {
  const policy: FramePolicy = { trustedOrigins: ["http://localhost:8080"], jitsiWrapperUrl: "https://app.ville-a.fr/widgets/jitsi/index.html", parentUrl: "https://app.ville-a.fr/" };
  const ctx = { userId: "@anne:ville-a.fr", roomId: ROOM, displayName: "Anne", avatarHttpUrl: undefined, widgetId: "w1", clientId: "fr.entente", theme: "light", language: "fr", deviceId: undefined, baseUrl: undefined };
  const def = (c: unknown): WidgetDefinition => { const r = parseWidgetContent("w1", c, "@a:x"); if (r.kind !== "widget") throw new Error(r.kind); return r.widget; };

  it("expands the template and adds the widget API parameters; only https or trusted origins", () => {
    const r = widgetFrameUrl(def({ type: "m.custom", url: "https://w.example/?u=$matrix_user_id" }), ctx, policy);
    assert.equal(r.kind, "ok");
    const u = new URL(r.kind === "ok" ? r.url : "");
    assert.equal(u.searchParams.get("u"), "@anne:ville-a.fr");
    assert.equal(u.searchParams.get("widgetId"), "w1");
    assert.equal(u.searchParams.get("parentUrl"), "https://app.ville-a.fr/");
    for (const bad of ["http://w.example/", "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "$matrix_user_id"]) {
      assert.equal(widgetFrameUrl(def({ type: "m.custom", url: bad }), ctx, policy).kind, "refused", bad);
    }
    assert.equal(widgetFrameUrl(def({ type: "m.custom", url: "http://localhost:8080/w/" }), ctx, policy).kind, "ok");
  });

  it("renders Jitsi widgets with our wrapper whatever their url says; malformed data refused", () => {
    const r = widgetFrameUrl(def({ type: "jitsi", url: "https://evil.example/", data: { domain: "meet.ville-a.fr", conferenceId: "JitsiAbc", isAudioOnly: true } }), ctx, policy);
    assert.equal(r.kind, "ok");
    const u = new URL(r.kind === "ok" ? r.url : "");
    assert.equal(u.origin + u.pathname, "https://app.ville-a.fr/widgets/jitsi/index.html");
    const frag = new URLSearchParams(u.hash.slice(1));
    assert.equal(frag.get("conferenceDomain"), "meet.ville-a.fr");
    assert.equal(frag.get("isAudioOnly"), "true");
    assert.equal(frag.get("displayName"), "Anne");
    assert.equal(widgetFrameUrl(def({ type: "jitsi", url: "https://x/", data: { domain: "evil/x", conferenceId: "c" } }), ctx, policy).kind, "refused");
  });

  it("lists room widgets with invalid ones explained, removed ones dropped; power levels respected", () => {
    const ev = (key: string, content: unknown): IRoomEvent => ({ type: "im.vector.modular.widgets", state_key: key, content: content as Record<string, unknown>, sender: "@a:x", event_id: `$${key}`, room_id: ROOM, origin_server_ts: 0, unsigned: {} });
    const list = roomWidgets([ev("b", { type: "jitsi", url: "https://x" }), ev("a", {}), ev("c", { url: 1 })]);
    assert.deepEqual(list.map((w) => w.kind), ["widget", "invalid"]);
    assert.equal(canManageWidgets({ users: { "@a:x": 50 } }, "@a:x"), true);
    assert.equal(canManageWidgets({ users_default: 0, state_default: 50 }, "@b:x"), false);
    assert.equal(canManageWidgets({ events: { "im.vector.modular.widgets": 0 } }, "@b:x"), true);
  });
});
