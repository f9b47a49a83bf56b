// Issue 16, federated send → /sync: the federation request of a new event is written to its
// kept-alive socket before the sending council's local wake-ups run. node:http hands a request its
// socket in a process.nextTick, which runs only once the microtask queue is empty; on SQLite a
// woken local /sync runs to its answer in microtasks, so the remote server got the event only
// after every local reader's /sync (and the sender's answer) were computed and written
// (latency-quiet.md §3: 2 ms in the probe, 5–23 ms with 10 local readers at load).
// SQLite only: on PostgreSQL a woken /sync waits for the database, so no order holds either way.
// Real councils over HTTPS in this process; the order is taken from the socket writes on A.
import assert from "node:assert/strict";
import { ServerResponse } from "node:http";
import net from "node:net";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";

const C = "/_matrix/client/v3";

describe("a new event's federation request and the local wake-ups (sqlite)", function () {
  this.timeout(60_000);
  let fed: TestFederation | undefined;
  const origEnd = ServerResponse.prototype.end;
  type Write = (this: net.Socket, ...a: unknown[]) => unknown;
  const proto = net.Socket.prototype as unknown as Record<"_writeGeneric" | "_writev", Write>;
  const origWrite = { _writeGeneric: proto._writeGeneric, _writev: proto._writev };
  afterEach(async () => {
    ServerResponse.prototype.end = origEnd;
    proto._writeGeneric = origWrite._writeGeneric;
    proto._writev = origWrite._writev;
    await fed?.stop();
    fed = undefined;
  });

  it("writes the request to the other council before a local reader's woken /sync is answered", async () => {
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db: "sqlite" });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const bFederationPort = fed.get("agglo-b.test").config.federation.listener?.port;
    assert.ok(bFederationPort);
    const alice: Session = await registerUser(a, "alice");
    const carol: Session = await registerUser(a, "carol");
    const bob: Session = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const room = `${C}/rooms/${enc(roomId)}`;
    await call(a, carol, "POST", `${C}/join/${enc(roomId)}`, {});
    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    // one message first: the kept-alive connection to B exists, B's address is kept
    await call(a, alice, "PUT", `${room}/send/m.room.message/m0`, { msgtype: "m.text", body: "premier" });
    let since = (await call<{ next_batch: string }>(a, carol, "GET", `${C}/sync?timeout=0`)).next_batch;

    const order: string[] = [];
    for (const m of ["_writeGeneric", "_writev"] as const) {
      const orig = origWrite[m];
      proto[m] = function (this: net.Socket, ...args: unknown[]): unknown {
        if (this.remotePort === bFederationPort) order.push("request to B written");
        return orig.apply(this, args);
      };
    }
    ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
      if (this.req?.url?.includes("/sync") && this.req.headers.authorization === `Bearer ${carol.accessToken}`) order.push("carol's /sync answered");
      return (origEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof origEnd;

    const sender = fed.get("ville-a.test").hs!.context.federation!.sender;
    for (let n = 1; n <= 3; n++) {
      // The order holds for an idle destination (the sender's fast path); B's read of the last
      // message can see B's open group, while A's drain for B (its answer) is still running.
      await waitFor("A's sender idle for B", () => Promise.resolve(sender["idle"]("agglo-b.test") || undefined));
      order.length = 0;
      const woken = call<{ next_batch: string }>(a, carol, "GET", `${C}/sync?timeout=10000&since=${since}`);
      await waitFor("carol's long-poll waiting", () => Promise.resolve(fed?.get("ville-a.test").hs?.context.notifier["waiters"].has(carol.userId) || undefined));
      const { event_id: eventId } = await call<{ event_id: string }>(a, alice, "PUT", `${room}/send/m.room.message/m${n}`, { msgtype: "m.text", body: `message ${n}` });
      since = (await woken).next_batch;
      assert.deepEqual(order.filter((o, i) => order.indexOf(o) === i).slice(0, 2), ["request to B written", "carol's /sync answered"], `message ${n}`);
      // and B has it
      await waitFor("B has the message", async () => (await fed?.get("agglo-b.test").hs?.context.stores.events.getEvent(eventId)) ?? undefined);
    }
  });
});
