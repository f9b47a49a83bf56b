// Issue 17 acceptance: an agent of council A with a phone (HTTP pushers) gets, through a stand-in
// push gateway, exactly the notifications Element would give: invites, a DM from council B, a
// mention from B, a keyword; nothing for a muted room or their own messages; a badge update after
// reading; and pushes made while the gateway was down, delivered once after a restart of A.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { TestPushGateway, type GatewayNotification } from "../harness/push-gateway.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
const A = "ville-a.test";
const B = "agglo-b.test";

for (const db of ["sqlite", "postgres"] as const) describe(`push notifications to phones across two councils (${db})`, function () {
  this.timeout(120_000);
  let fed: TestFederation;
  const gateway = new TestPushGateway();
  let a: string, b: string;
  let alice: Session, carol: Session, bob: Session;
  let dm: string, conseil: string, bruit: string;

  const send = async (base: string, who: Session, roomId: string, content: Record<string, unknown>): Promise<string> =>
    (await call<{ event_id: string }>(base, who, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${Math.random().toString(36).slice(2)}`, { msgtype: "m.text", ...content })).event_id;
  const pushed = (eventId: string, pushkey = "pk-phone"): Promise<GatewayNotification> =>
    waitFor(`push of ${eventId} to ${pushkey}`, () => gateway.for(pushkey).find((n) => n.event_id === eventId));
  const joinedOnA = (roomId: string, n: number): Promise<true> => waitFor(`${n} members of ${roomId} on A`, async () => {
    const m = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `${C}/rooms/${enc(roomId)}/joined_members`).catch(() => ({ joined: {} }));
    return Object.keys(m.joined).length === n || undefined;
  });
  const pusher = (pushkey: string, data: Record<string, unknown>): Record<string, unknown> => ({
    pushkey, kind: "http", app_id: "fr.entente.mobile", app_display_name: "Entente", device_display_name: pushkey, lang: "fr", data: { url: gateway.url, ...data },
  });

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    await gateway.start();
    fed = await startFederation([A, B], {
      db,
      configure: (name, c) => {
        if (name === A) c.push = { gatewayPrivateHosts: ["127.0.0.1"], retryInitialMs: 50, retryMaxMs: 400 };
      },
    });
    a = fed.get(A).url;
    b = fed.get(B).url;
    alice = await registerUser(a, "alice");
    carol = await registerUser(a, "carol");
    bob = await registerUser(b, "bob");
    await call(a, alice, "POST", `${C}/pushers/set`, pusher("pk-phone", { format: undefined }));
    await call(a, alice, "POST", `${C}/pushers/set`, pusher("pk-tablet", { format: "event_id_only" }));
    await call(a, alice, "POST", `${C}/pushers/set`, pusher("pk-stale", {}));
    gateway.reject.add("pk-stale");
  });
  after(async () => {
    await fed?.stop();
    await gateway.stop();
  });

  it("an invite and a DM from the other council, full and event_id_only formats; a rejected pushkey loses its pusher", async () => {
    ({ room_id: dm } = await call<{ room_id: string }>(b, bob, "POST", `${C}/createRoom`, { preset: "trusted_private_chat", is_direct: true, invite: [alice.userId] }));
    const invite = await waitFor("invite push", () => gateway.for("pk-phone").find((n) => n.type === "m.room.member" && n.room_id === dm));
    assert.equal(invite.content?.["membership"], "invite");
    assert.equal(invite.prio, "high");
    await call(a, alice, "POST", `${C}/join/${enc(dm)}`, {});
    await joinedOnA(dm, 2);
    const id = await send(b, bob, dm, { body: "bonjour, tu as un moment ?" });
    const full = await pushed(id);
    assert.deepEqual([full.type, full.sender, full.content?.["body"], full.prio], ["m.room.message", bob.userId, "bonjour, tu as un moment ?", "high"]);
    assert.deepEqual(full.devices, [{ app_id: "fr.entente.mobile", pushkey: "pk-phone", data: {}, tweaks: { sound: "default" } }]);
    assert.equal(full.counts?.unread, 1);
    const idOnly = await pushed(id, "pk-tablet");
    assert.deepEqual(Object.keys(idOnly).sort(), ["counts", "devices", "event_id", "prio", "room_id"]);
    await waitFor("stale pusher removed", async () => {
      const list = await call<{ pushers: { pushkey: string }[] }>(a, alice, "GET", `${C}/pushers`);
      return list.pushers.map((p) => p.pushkey).sort().join() === "pk-phone,pk-tablet" || undefined;
    });
  });

  it("a mention from the other council and a keyword notify; a muted room and one's own messages do not", async () => {
    ({ room_id: conseil } = await call<{ room_id: string }>(a, carol, "POST", `${C}/createRoom`, { preset: "private_chat", name: "Conseil", invite: [alice.userId, bob.userId] }));
    ({ room_id: bruit } = await call<{ room_id: string }>(a, carol, "POST", `${C}/createRoom`, { preset: "private_chat", name: "Bruit", invite: [alice.userId, bob.userId] }));
    for (const room of [conseil, bruit]) {
      await waitFor("invite push", () => gateway.for("pk-phone").find((n) => n.type === "m.room.member" && n.room_id === room));
      await call(a, alice, "POST", `${C}/join/${enc(room)}`, {});
      await waitFor("bob invited", () => call(b, bob, "POST", `${C}/join/${enc(room)}`, {}).then(() => true, () => undefined));
      await joinedOnA(room, 3);
    }
    // Element: a keyword, and "Mute" on a room (an override rule on its id without actions)
    await call(a, alice, "PUT", `${C}/pushrules/global/content/budget`, { pattern: "budget", actions: ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight" }] });
    await call(a, alice, "PUT", `${C}/pushrules/global/override/${enc(bruit)}`, { conditions: [{ kind: "event_match", key: "room_id", pattern: bruit }], actions: [] });
    const mark = gateway.for("pk-phone").length;
    const mention = await send(b, bob, conseil, { body: "Alice, réunion demain ?", "m.mentions": { user_ids: [alice.userId] } });
    await waitFor("mention reached A", () => call(a, alice, "GET", `${C}/rooms/${enc(conseil)}/event/${enc(mention)}`).then(() => true, () => undefined));
    const keyword = await send(a, carol, conseil, { body: "le Budget 2027 est voté" });
    await send(b, bob, bruit, { body: "bruit de fond" });
    await send(a, carol, bruit, { body: "encore du bruit" });
    await send(a, alice, conseil, { body: "merci" });
    const last = await send(a, carol, conseil, { body: "fin de séance" });
    await pushed(last);
    const got = gateway.for("pk-phone").slice(mark);
    assert.deepEqual(got.map((n) => n.event_id), [mention, keyword, last], "nothing from the muted room nor from alice");
    assert.deepEqual(got.map((n) => [n.prio, n.devices[0]?.tweaks]), [
      ["high", { sound: "default", highlight: true }], ["high", { sound: "default", highlight: true }], ["low", {}],
    ]);
  });

  it("reading a room sends a badge-only update with the new count", async () => {
    const mark = gateway.for("pk-phone").length;
    const sync = await call<{ rooms: { join: Record<string, { timeline: { events: { event_id: string }[] } }> } }>(a, alice, "GET", `${C}/sync?timeout=0`);
    const lastOfDm = sync.rooms.join[dm]?.timeline.events.at(-1)?.event_id ?? "";
    await call(a, alice, "POST", `${C}/rooms/${enc(dm)}/receipt/m.read/${enc(lastOfDm)}`, {});
    const badge = await waitFor("badge", () => gateway.for("pk-phone").slice(mark).find((n) => n.event_id === undefined));
    assert.deepEqual(badge.counts, { unread: 3 }, "the DM is read; conseil keeps 3 (the muted room counts nothing)");
    assert.equal(badge.prio, "low");
  });

  it("pushes made while the gateway is down survive a restart of A and arrive once", async () => {
    await gateway.stop();
    const mark = gateway.for("pk-phone").length;
    const during = await send(b, bob, dm, { body: "pendant la panne" });
    await waitFor("A counted it", async () => {
      const s = await call<{ rooms: { join: Record<string, { unread_notifications?: { notification_count: number } }> } }>(a, alice, "GET", `${C}/sync?timeout=0`);
      return s.rooms.join[dm]?.unread_notifications?.notification_count === 1 || undefined;
    });
    await fed.get(A).stop();
    await fed.get(A).start();
    const after = await send(b, bob, dm, { body: "après le redémarrage" });
    await gateway.start();
    await pushed(after);
    await pushed(after, "pk-tablet"); // each pusher drains its own queue
    assert.deepEqual(gateway.for("pk-phone").slice(mark).map((n) => n.event_id), [during, after]);
    assert.deepEqual(gateway.for("pk-tablet").filter((n) => n.event_id === during).length, 1);
  });
});
