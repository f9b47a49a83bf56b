import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { connectWidget, type WidgetApiPort } from "./widget-session.ts";
import { readWidgetParams } from "./widget-params.ts";
import { defineEvent } from "./typed-events.ts";
import { receiveEventCapability, sendEventCapability } from "./capabilities.ts";

interface Note { text: string }
const NOTE = defineEvent<Note>("fr.entente.note", (c) =>
  typeof c === "object" && c !== null && typeof (c as Record<string, unknown>)["text"] === "string" ? { text: (c as { text: string }).text } : undefined);

const HOSTED = readWidgetParams("https://w.example/?widgetId=w1&parentUrl=https://client.example/");

/** A stand-in for WidgetApi: records what the session asks, answers "ready" when told to. */
class FakeApi extends EventEmitter {
  requested: string[] = [];
  started = false;
  replies: unknown[] = [];
  sent: Array<[string, unknown]> = [];
  stored: unknown[] = [];
  readyOnStart = true;
  transport = { reply: (_req: unknown, body: unknown) => { this.replies.push(body); } };
  requestCapabilities(c: string[]) { this.requested.push(...c); }
  start() { this.started = true; if (this.readyOnStart) queueMicrotask(() => this.emit("ready")); }
  hasCapability(c: string) { return this.requested.includes(c); }
  async sendRoomEvent(type: string, content: unknown) { this.sent.push([type, content]); return { event_id: "$e1", room_id: "!r" }; }
  async readRoomEvents() { return this.stored; }
}
const asPort = (f: FakeApi) => f as unknown as WidgetApiPort;

describe("widget kit: session", () => {
  it("stays outside when not framed or without the widget API parameters", async () => {
    const notFramed = await connectWidget({ params: HOSTED, inFrame: false, capabilities: [] });
    assert.equal(notFramed.kind, "outside");
    const noParams = await connectWidget({ params: readWidgetParams("https://w.example/"), inFrame: true, capabilities: [] });
    assert.equal(noParams.kind, "outside");
  });

  it("reports a client that never answers as failed, with a French reason", async () => {
    const fake = new FakeApi();
    fake.readyOnStart = false;
    const r = await connectWidget({ params: HOSTED, inFrame: true, capabilities: [], timeoutMs: 20, createApi: () => asPort(fake) });
    assert.equal(r.kind, "failed");
    assert.match(r.kind === "failed" ? r.reason : "", /client Matrix/);
  });

  it("asks its capabilities before start, sends typed events, drops events that do not parse", async () => {
    const fake = new FakeApi();
    let origin = "";
    const r = await connectWidget({
      params: HOSTED, inFrame: true, capabilities: [sendEventCapability(NOTE), receiveEventCapability(NOTE)],
      createApi: (_id, o) => { origin = o; return asPort(fake); },
    });
    assert.equal(r.kind, "connected");
    if (r.kind !== "connected") return;
    assert.equal(origin, "https://client.example");
    assert.deepEqual(fake.requested, ["org.matrix.msc2762.send.event:fr.entente.note", "org.matrix.msc2762.receive.event:fr.entente.note"]);
    assert.equal(await r.session.send(NOTE, { text: "bonjour" }), "$e1");
    assert.deepEqual(fake.sent, [["fr.entente.note", { text: "bonjour" }]]);
    fake.stored = [
      { type: "fr.entente.note", event_id: "$a", room_id: "!r", sender: "@a:x", origin_server_ts: 5, content: { text: "ok" } },
      { type: "fr.entente.note", event_id: "$b", room_id: "!r", sender: "@a:x", content: { text: 42 } },
      { type: "m.room.message", event_id: "$c", room_id: "!r", sender: "@a:x", content: { text: "other type" } },
      { type: "fr.entente.note", room_id: "!r", sender: "@a:x", content: { text: "no id" } },
    ];
    const read = await r.session.read(NOTE);
    assert.deepEqual(read, [{ eventId: "$a", roomId: "!r", sender: "@a:x", originServerTs: 5, stateKey: undefined, content: { text: "ok" } }]);
  });

  it("answers each pushed event once and hands only parsed ones to subscribers", async () => {
    const fake = new FakeApi();
    const r = await connectWidget({ params: HOSTED, inFrame: true, capabilities: [], createApi: () => asPort(fake) });
    if (r.kind !== "connected") throw new Error(r.kind);
    const got: string[] = [];
    const off = r.session.onEvent(NOTE, (e) => got.push(e.content.text));
    const push = (data: unknown) => {
      const ev = new CustomEvent("action:send_event", { detail: { data }, cancelable: true });
      fake.emit("action:send_event", ev);
      assert.equal(ev.defaultPrevented, true, "so WidgetApi does not answer 'unsupported action' too");
    };
    push({ type: "fr.entente.note", event_id: "$1", room_id: "!r", sender: "@b:x", content: { text: "live" } });
    push({ type: "fr.entente.note", event_id: "$2", room_id: "!r", sender: "@b:x", content: {} });
    off();
    push({ type: "fr.entente.note", event_id: "$3", room_id: "!r", sender: "@b:x", content: { text: "after unsubscribe" } });
    assert.deepEqual(got, ["live"]);
    assert.equal(fake.replies.length, 3);
  });

  it("acknowledges every update_state push once, with or without a subscriber (the calendar's « Failed to push room state »)", async () => {
    const fake = new FakeApi();
    const r = await connectWidget({ params: HOSTED, inFrame: true, capabilities: [], createApi: () => asPort(fake) });
    if (r.kind !== "connected") throw new Error(r.kind);
    const push = (state: unknown) => {
      const ev = new CustomEvent("action:update_state", { detail: { data: { state } }, cancelable: true });
      fake.emit("action:update_state", ev);
      assert.equal(ev.defaultPrevented, true, "so WidgetApi does not answer 'Unknown or unsupported to-widget action'");
    };
    const before = fake.replies.length;
    push([]);
    const seen: unknown[][] = [];
    const off = r.session.onStatePush((s) => seen.push(s));
    const member = { type: "m.room.member", state_key: "@a:x", content: { membership: "join" } };
    push([member]);
    push("not a list");
    off();
    push([member]);
    assert.deepEqual(fake.replies.slice(before), [{}, {}, {}, {}]);
    assert.deepEqual(seen, [[member], []]);
  });
});
