// POST /pushers/set and GET /pushers around delivery: append, gateway URL validation, and
// deletion (kind null) dropping what was queued for the pusher.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";
import { freePort } from "../harness/ports.ts";

const C = "/_matrix/client/v3";

describe("pushers API", function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let alice: Session, bob: Session;
  let deadGateway: string;
  const pusher = (pushkey: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ pushkey, kind: "http", app_id: "fr.app", app_display_name: "App", device_display_name: "Téléphone", lang: "fr", data: { url }, ...extra });
  const pushkeys = async (s: Session): Promise<string[]> => (await call<{ pushers: { pushkey: string }[] }>(server.url, s, "GET", `${C}/pushers`)).pushers.map((p) => p.pushkey).sort();
  const rejects = (p: Promise<unknown>, code: string): Promise<void> =>
    assert.rejects(p, (e: unknown) => e instanceof ApiError && e.status === 400 && e.body["errcode"] === code);

  before(async () => {
    // nothing listens there: every push fails and waits a long back-off in the queue
    deadGateway = `http://127.0.0.1:${await freePort()}/_matrix/push/v1/notify`;
    server = await startTestHomeserver({ overrides: { push: { gatewayPrivateHosts: ["127.0.0.1"], retryInitialMs: 600_000, retryMaxMs: 600_000 } } });
    alice = await registerUser(server.url, "alice");
    bob = await registerUser(server.url, "bob");
  });
  after(() => server?.stop());

  it("validates the gateway URL", async () => {
    for (const url of ["ftp://gw.example/_matrix/push/v1/notify", "https://gw.example/notify", "https://gw.example/_matrix/push/v1/notify?x=1", "pas une url"]) {
      await rejects(call(server.url, alice, "POST", `${C}/pushers/set`, pusher("k", url)), "M_INVALID_PARAM");
    }
    await rejects(call(server.url, alice, "POST", `${C}/pushers/set`, pusher("k", "https://gw.example/_matrix/push/v1/notify", { data: { url: "https://gw.example/_matrix/push/v1/notify", format: "full" } })), "M_BAD_JSON");
  });

  it("the same app and pushkey moves to the new user unless append", async () => {
    const url = "https://gw.example/_matrix/push/v1/notify";
    await call(server.url, alice, "POST", `${C}/pushers/set`, pusher("shared", url));
    await call(server.url, bob, "POST", `${C}/pushers/set`, pusher("shared", url, { append: true }));
    assert.deepEqual([await pushkeys(alice), await pushkeys(bob)], [["shared"], ["shared"]]);
    await call(server.url, bob, "POST", `${C}/pushers/set`, pusher("shared", url));
    assert.deepEqual([await pushkeys(alice), await pushkeys(bob)], [[], ["shared"]]);
    await call(server.url, bob, "POST", `${C}/pushers/set`, { pushkey: "shared", app_id: "fr.app", kind: null });
    assert.deepEqual(await pushkeys(bob), []);
  });

  it("deleting a pusher (kind null) drops its queued pushes", async () => {
    await call(server.url, alice, "POST", `${C}/pushers/set`, pusher("phone", deadGateway));
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, bob, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(server.url, alice, "POST", `${C}/join/${enc(roomId)}`, {});
    await call(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/1`, { msgtype: "m.text", body: "salut" });
    const store = server.hs.context.push.store;
    const key = { userId: alice.userId, appId: "fr.app", pushkey: "phone" };
    await waitFor("a push waiting for the dead gateway", async () => ((await store.queued(key, 10)).length === 1 ? true : undefined));
    await call(server.url, alice, "POST", `${C}/pushers/set`, { pushkey: "phone", app_id: "fr.app", kind: null });
    assert.deepEqual(await store.queued(key, 10), []);
    assert.deepEqual(await pushkeys(alice), []);
  });
});
