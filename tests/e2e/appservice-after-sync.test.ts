// Issue 16: the appservice pushers start on a new event only after the long-polls it woke have
// answered (SQLite: a woken /sync runs to its answer in microtasks; the pushers' reads used to
// interleave with it, on the latency path of every reader). The appservice still gets the event.
// SQLite only: on PostgreSQL a woken /sync waits for the database, so no order between the two holds.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestHomeserver, registerUser, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, writeRegistration, C } from "../appservice-helpers.ts";
import { startRecordingAppservice, type RecordingAppservice } from "../harness/recording-appservice.ts";

describe("appservice pushers after the woken /sync answers (sqlite)", function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  let regDir: string;
  let bot: RecordingAppservice;
  let received: string[] = [];
  const origEnd = ServerResponse.prototype.end;

  before(async () => {
    bot = await startRecordingAppservice();
    received = bot.received;
    const port = bot.port;
    regDir = mkdtempSync(join(tmpdir(), "entente-as-order-"));
    // interested in every room (a users namespace matching everyone), so it gets the message
    const yaml = `id: orderbot\nurl: http://127.0.0.1:${port}\nas_token: as-order\nhs_token: hs-order\nsender_localpart: orderbot\nnamespaces: { users: [{ exclusive: false, regex: "@.*" }] }\n`;
    t = await startTestHomeserver({ db: "sqlite", overrides: { appservices: { registrationFiles: [writeRegistration(regDir, "orderbot", yaml)], retryInitialMs: 1000, retryMaxMs: 1000 } } });
  });
  after(async () => {
    ServerResponse.prototype.end = origEnd;
    await t?.stop();
    await bot?.close();
    if (regDir) rmSync(regDir, { recursive: true, force: true });
  });

  it("the reader's /sync is answered before the pushers are kicked; the bot still receives the message", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const roomId = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(roomId)}`, { token: bob.accessToken, body: {} })).status, 200);
    const since = (await call(t.url, "GET", `${C}/sync?timeout=0`, { token: bob.accessToken })).body.next_batch as string;

    const order: string[] = [];
    const pushers = (t.hs.context.appservices as unknown as { pushers: Map<string, { kick: (q?: boolean) => void }> }).pushers;
    assert.equal(pushers.size, 1);
    for (const p of pushers.values()) {
      const kick = p.kick.bind(p);
      p.kick = (q?: boolean) => {
        order.push("kick");
        kick(q);
      };
    }
    ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
      if (this.req?.url?.includes("/sync") && this.req.headers.authorization === `Bearer ${bob.accessToken}`) order.push("sync answered");
      return (origEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof origEnd;

    const woken = call(t.url, "GET", `${C}/sync?timeout=10000&since=${since}`, { token: bob.accessToken });
    // the long-poll is parked once the homeserver has a waiter for it (no fixed sleep)
    const waiters = (t.hs.context.notifier as unknown as { waiters: Map<string, Set<unknown>> }).waiters;
    await waitFor("bob's long-poll parked", () => ((waiters.get(bob.userId)?.size ?? 0) > 0 ? true : undefined));
    const sent = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/order1`, { token: alice.accessToken, body: { msgtype: "m.text", body: "ordre" } });
    assert.equal(sent.status, 200);
    const r = await woken;
    const events = (r.body.rooms?.join?.[roomId]?.timeline?.events ?? []) as { event_id: string }[];
    assert.ok(events.some((e) => e.event_id === sent.body.event_id), "the woken /sync holds the message");
    await waitFor("the kick", () => (order.includes("kick") ? true : undefined));
    assert.deepEqual(order.slice(0, 2), ["sync answered", "kick"]);
    await waitFor("the bot's transaction with the message", () => (received.some((b) => b.includes(sent.body.event_id as string)) ? true : undefined));
  });
});
