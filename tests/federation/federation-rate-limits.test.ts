// Issue 9, finding 12: inbound /send is rate limited per origin server (429 M_LIMIT_EXCEEDED with
// retry_after_ms), other servers are not affected, and a partner catching up after an outage is
// paced by retry_after_ms without losing anything.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { FederationError } from "../../homeserver/src/server/federation/transport/federation-error.ts";
import type { FederationClient } from "../../homeserver/src/server/federation/transport/federation-client.ts";

const sendTxn = (fed: TestFederation, from: string, txnId: string): Promise<unknown> =>
  fed.get(from).hs!.context.federation!.client.request("a.test", "PUT", `/_matrix/federation/v1/send/${txnId}`, { origin: from, origin_server_ts: Date.now(), pdus: [], edus: [] });

describe("federation /send rate limit (defaults: 10 per second, burst 100)", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  before(async () => {
    fed = await startFederation(["a.test", "b.test", "c.test"]);
  });
  after(() => fed?.stop());

  it("throttles a flood of transactions from one origin, not the other servers", async () => {
    const started = Date.now();
    let accepted = 0;
    const throttled: FederationError[] = [];
    for (let i = 0; i < 300; i++) {
      try {
        await sendTxn(fed, "b.test", `flood-${i}`);
        accepted++;
      } catch (err) {
        if (!(err instanceof FederationError) || err.status !== 429) throw err;
        throttled.push(err);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`      300 transactions in ${seconds.toFixed(1)} s: ${accepted} accepted, ${throttled.length} answered 429`);
    assert.ok(accepted >= 100, `the burst is honoured (${accepted})`);
    assert.ok(accepted <= 100 + Math.ceil(10 * seconds) + 1, `${accepted} accepted in ${seconds} s`);
    assert.equal(accepted + throttled.length, 300);
    for (const e of throttled) {
      assert.equal(e.errcode, "M_LIMIT_EXCEEDED");
      assert.ok(e.retryAfterMs !== undefined && e.retryAfterMs > 0 && e.retryAfterMs <= 100, `retry_after_ms ${e.retryAfterMs}`);
    }
    // another origin has its own allowance
    await sendTxn(fed, "c.test", "other-origin");
    // and b is served again once the bucket refills
    await waitFor("b.test accepted again", () => sendTxn(fed, "b.test", "after-wait").then(() => true, () => undefined), 5_000);
  });
});

describe("a partner catching up through a tight /send limit", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session;
  let roomId: string;
  before(async () => {
    fed = await startFederation(["a.test", "b.test"], {
      configure: (name, c) => {
        if (name === "a.test") c.rateLimits.federationSend = { perSecond: 2, burst: 2 };
      },
    });
    alice = await registerUser(fed.get("a.test").url, "alice");
    bob = await registerUser(fed.get("b.test").url, "bob");
    ({ room_id: roomId } = await call<{ room_id: string }>(fed.get("a.test").url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }));
    await call(fed.get("b.test").url, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
  });
  after(() => fed?.stop());

  it("delivers every event, each retry waiting the retry_after_ms the receiver asked", async () => {
    const client: FederationClient = fed.get("b.test").hs!.context.federation!.client;
    const original = client.request.bind(client);
    const attempts: { path: string; at: number; retryAfterMs?: number }[] = [];
    client.request = (async (destination: string, method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: unknown, opts?: object) => {
      const entry: { path: string; at: number; retryAfterMs?: number } = { path, at: Date.now() };
      if (path.includes("/send/")) attempts.push(entry);
      try {
        return await original(destination, method, path, body, opts);
      } catch (err) {
        if (err instanceof FederationError && err.status === 429 && err.retryAfterMs !== undefined) entry.retryAfterMs = err.retryAfterMs;
        throw err;
      }
    }) as FederationClient["request"];
    const bodies = Array.from({ length: 12 }, (_, i) => `rattrapage ${i}`);
    for (const [i, body] of bodies.entries()) {
      await call(fed.get("b.test").url, bob, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/c${i}`, { msgtype: "m.text", body });
    }
    await waitFor("every message on a.test", async () => {
      const page = await call<{ chunk: { content: { body?: string } }[] }>(fed.get("a.test").url, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
      const seen = new Set(page.chunk.map((e) => e.content.body));
      return bodies.every((b) => seen.has(b)) || undefined;
    }, 60_000);
    const throttled = attempts.filter((a) => a.retryAfterMs !== undefined);
    console.log(`      ${attempts.length} transaction attempts, ${throttled.length} answered 429`);
    assert.ok(throttled.length > 0, "the limit was reached (otherwise this test proves nothing)");
    for (const t of throttled) {
      // the retry may carry a larger batch (so another txn id): it is the next attempt
      const next = attempts[attempts.indexOf(t) + 1];
      assert.ok(next, `the throttled transaction ${t.path} was retried`);
      // a 1 ms margin for timer and clock granularity
      assert.ok(next.at - t.at >= (t.retryAfterMs ?? 0) - 1, `retried after ${next.at - t.at} ms, asked ${t.retryAfterMs} ms`);
    }
    assert.equal(await fed.get("b.test").hs!.context.federation!.store.failuresOf("a.test"), 0);
  });
});
