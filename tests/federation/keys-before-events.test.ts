// A federation transaction carrying an encrypted event and the room key for it (a to-device EDU):
// the receiver stores the key before the event can wake a sync, so a client never gets the event
// first (it would fail to decrypt it until the next sync). Real homeservers over TLS on loopback;
// A's sender paused so the to-device message and the event leave in one transaction.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import type { FederationServices } from "../../homeserver/src/server/federation/federation-services.ts";

describe("federation /send: key material before the events of the same transaction", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("stores a to-device room key before committing the event that travels with it", async () => {
    fed = await startFederation(["a.test", "b.test"]);
    const [a, b] = [fed.get("a.test").url, fed.get("b.test").url];
    const A = (): FederationServices => fed.get("a.test").hs!.context.federation!;
    const B = (): FederationServices => fed.get("b.test").hs!.context.federation!;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    await waitFor("the join reached A", async () => ((await A().store.status()).find((s) => s.destination === "b.test")?.queued ?? 0) === 0 ? true : undefined);

    // What B handles, in order: the room key, the event.
    const order: string[] = [];
    const input = B().input;
    const receive = input.receive.bind(input);
    input.receive = async (origin, raw, commits) => {
      order.push("event");
      return receive(origin, raw, commits);
    };
    const toDevice = B().eduHandlers.get("m.direct_to_device");
    assert.ok(toDevice, "B handles to-device EDUs");
    B().eduHandlers.set("m.direct_to_device", async (origin, content) => {
      await toDevice(origin, content);
      order.push("room key");
    });

    A().sender.pause();
    const key = { algorithm: "m.megolm.v1.aes-sha2", room_id: roomId, session_id: "s1", session_key: "k" };
    await call(a, alice, "PUT", "/_matrix/client/v3/sendToDevice/m.room_key/t1", { messages: { [bob.userId]: { [bob.deviceId]: key } } });
    const { event_id: eventId } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.encrypted/t2`,
      { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…", session_id: "s1", sender_key: "c", device_id: alice.deviceId });
    A().sender.resume();

    const sync = await waitFor("Bob's sync has the event", async () => {
      const r = await call<{ to_device?: { events?: { type: string; content: Record<string, unknown> }[] }; rooms?: { join?: Record<string, { timeline: { events: { event_id: string }[] } }> } }>(b, bob, "GET", "/_matrix/client/v3/sync?timeout=0");
      return r.rooms?.join?.[roomId]?.timeline.events.some((e) => e.event_id === eventId) === true ? r : undefined;
    }, 30_000);
    assert.deepEqual(order, ["room key", "event"], "the room key is stored before the event is committed");
    assert.deepEqual(sync.to_device?.events?.map((e) => [e.type, e.content["session_id"]]), [["m.room_key", "s1"]], "the sync with the event carries its key");
  });
});
