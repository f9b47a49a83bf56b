// Federation to-device EDUs (m.direct_to_device) and their message_id: a redelivered EDU (same
// sender, type and message_id) is stored once; EDUs that carry no message_id (the spec requires one,
// some servers omit it) are each delivered, never taken for a redelivery of one another.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { call } from "../harness/client-api.ts";

interface Sync { next_batch: string; to_device?: { events?: { type: string; content: Record<string, unknown> }[] } }

describe("federation: to-device EDUs and their message_id", function () {
  this.timeout(60_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("stores a redelivered EDU once, and every EDU without a message_id", async () => {
    fed = await startFederation(["b.test"]);
    const b = fed.get("b.test").url;
    const bob = await registerUser(b, "bob");
    const handle = fed.get("b.test").hs!.context.federation!.eduHandlers.get("m.direct_to_device");
    assert.ok(handle, "B handles to-device EDUs");
    const edu = (n: number, messageId?: string): Record<string, unknown> => ({
      sender: "@alice:a.test", type: "m.room_key_request", ...(messageId === undefined ? {} : { message_id: messageId }),
      messages: { [bob.userId]: { [bob.deviceId]: { n } } },
    });
    await handle("a.test", edu(1, "m1"));
    await handle("a.test", edu(2, "m1")); // a redelivery: same message_id
    await handle("a.test", edu(3));
    await handle("a.test", edu(4));
    const sync = await call<Sync>(b, bob, "GET", "/_matrix/client/v3/sync?timeout=0");
    assert.deepEqual(sync.to_device?.events?.map((e) => e.content["n"]), [1, 3, 4]);
  });
});
