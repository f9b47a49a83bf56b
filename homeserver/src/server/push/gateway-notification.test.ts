import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { GatewayClient, rejectedOf } from "./gateway-client.ts";
import { notificationBody, tweaksOf } from "./gateway-notification.ts";
import { threadOf } from "./thread-of.ts";

const pusher = (format?: string) => ({ appId: "fr.app", pushkey: "pk", pushkeyTs: 1_700_000_000_000, data: { url: "https://gw/_matrix/push/v1/notify", ...(format ? { format } : {}) } });
const event = { eventId: "$e", roomId: "!r:a", type: "m.room.message", sender: "@b:b", content: { body: "salut" }, stateKey: undefined, senderDisplayName: "Bob", roomName: "Conseil" };

describe("push gateway notification bodies", () => {
  it("full format: event details, tweaks, prio high with a sound; the url stays home", () => {
    const body = notificationBody({ pusher: pusher(), userId: "@a:a", unread: 2, event, actions: ["notify", { set_tweak: "sound", value: "default" }] });
    assert.deepEqual(body, { notification: {
      event_id: "$e", room_id: "!r:a", prio: "high", counts: { unread: 2 },
      devices: [{ app_id: "fr.app", pushkey: "pk", pushkey_ts: 1_700_000_000, data: {}, tweaks: { sound: "default" } }],
      type: "m.room.message", sender: "@b:b", sender_display_name: "Bob", room_name: "Conseil", content: { body: "salut" },
    } });
  });

  it("event_id_only: ids, counts and devices only; prio low without sound or highlight", () => {
    const body = notificationBody({ pusher: pusher("event_id_only"), userId: "@a:a", unread: 1, event, actions: ["notify"] });
    assert.deepEqual(Object.keys(body["notification"] as object).sort(), ["counts", "devices", "event_id", "prio", "room_id"]);
    assert.equal((body["notification"] as Record<string, unknown>)["prio"], "low");
  });

  it("badge update: counts and devices, no event", () => {
    assert.deepEqual(notificationBody({ pusher: pusher(), userId: "@a:a", unread: 0 }), { notification: {
      prio: "low", counts: { unread: 0 }, devices: [{ app_id: "fr.app", pushkey: "pk", pushkey_ts: 1_700_000_000, data: {} }],
    } });
  });

  it("tweaks: highlight defaults to true; member events say whether the user is the target", () => {
    assert.deepEqual(tweaksOf(["notify", { set_tweak: "highlight" }, { set_tweak: "sound", value: "ring" }, "coalesce"]), { highlight: true, sound: "ring" });
    const invite = notificationBody({ pusher: pusher(), userId: "@a:a", unread: 0, event: { ...event, type: "m.room.member", stateKey: "@a:a" }, actions: ["notify"] });
    assert.equal((invite["notification"] as Record<string, unknown>)["user_is_target"], true);
  });

  it("reads `rejected` leniently", () => {
    assert.deepEqual(rejectedOf('{"rejected":["a",1,"b"]}'), ["a", "b"]);
    assert.deepEqual(rejectedOf("nonsense"), []);
    assert.deepEqual(rejectedOf("{}"), []);
  });
});

describe("GatewayClient and the SSRF guard", () => {
  it("refuses a loopback gateway unless its host is allowed, and then delivers", async () => {
    let hits = 0;
    const srv = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"rejected":[]}');
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/_matrix/push/v1/notify`;
    const stop = new AbortController().signal;
    try {
      const guarded = new GatewayClient({ privateHosts: [], timeoutMs: 2000 });
      const refused = await guarded.notify(url, {}, stop);
      assert.deepEqual([refused.ok, refused.ok ? undefined : refused.retry], [false, false]);
      assert.equal(hits, 0);
      guarded.close();
      const allowed = new GatewayClient({ privateHosts: ["127.0.0.1"], timeoutMs: 2000 });
      assert.deepEqual(await allowed.notify(url, {}, stop), { ok: true, rejected: [] });
      assert.equal(hits, 1);
      allowed.close();
      const other = new GatewayClient({ privateHosts: [], timeoutMs: 2000 });
      const local = await other.notify(url.replace("127.0.0.1", "localhost"), {}, stop);
      assert.equal(local.ok, false, "a name resolving to loopback is refused too");
      other.close();
    } finally {
      srv.close();
    }
  });
});

describe("threadOf", () => {
  const store = new Map<string, unknown>([
    ["$reply", { "m.relates_to": { rel_type: "m.thread", event_id: "$root" } }],
    ["$edit", { "m.relates_to": { rel_type: "m.replace", event_id: "$reply" } }],
    ["$r3", { "m.relates_to": { rel_type: "m.annotation", event_id: "$edit" } }],
  ]);
  const lookup = (id: string): Promise<unknown> => Promise.resolve(store.get(id));
  it("follows relations up to 3 hops to a thread root, else main", async () => {
    assert.equal(await threadOf({ body: "x" }, lookup), "main");
    assert.equal(await threadOf({ "m.relates_to": { rel_type: "m.thread", event_id: "$root" } }, lookup), "$root");
    assert.equal(await threadOf({ "m.relates_to": { rel_type: "m.annotation", event_id: "$reply" } }, lookup), "$root");
    assert.equal(await threadOf({ "m.relates_to": { rel_type: "m.annotation", event_id: "$edit" } }, lookup), "$root");
    assert.equal(await threadOf({ "m.relates_to": { rel_type: "m.annotation", event_id: "$r3" } }, lookup), "$root");
    assert.equal(await threadOf({ "m.relates_to": { "m.in_reply_to": { event_id: "$reply" } } }, lookup), "main", "a reply is no relation");
  });
});
