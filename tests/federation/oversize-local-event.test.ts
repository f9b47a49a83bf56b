// Two councils: an oversize event refused on A never becomes a prev_event, so A's next events still
// reach B (partners reject PDUs over 65,536 bytes, and with them every event built on one).
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { ApiError, call, enc, SyncFollower, type Session } from "../harness/client-api.ts";

describe("federation: oversize local events are refused before they can poison the room", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let a: string, b: string;
  let alice: Session, bob: Session;
  let roomId: string;
  let bobSync: SyncFollower;

  before(async () => {
    fed = await startFederation(["a.test", "b.test"]);
    a = fed.get("a.test").url;
    b = fed.get("b.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" }));
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}?server_name=a.test`, {});
    bobSync = new SyncFollower(b, bob);
    await waitFor("bob joined on A", async () => {
      const r = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
      return bob.userId in r.joined || undefined;
    });
  });
  after(() => fed?.stop());

  const send = (body: string, txn: string): Promise<{ event_id: string }> =>
    call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`, { msgtype: "m.text", body });

  it("after a refused 120,000-character message and oversize topic, the next message reaches the partner", async () => {
    const before = await send("before", "t0");
    await waitFor("B has 'before'", async () => {
      await bobSync.poll(500);
      return bobSync.bodies(roomId).includes("before") || undefined;
    });
    await assert.rejects(send("x".repeat(120_000), "t1"), (e: unknown) => e instanceof ApiError && e.status === 413 && e.body["errcode"] === "M_TOO_LARGE");
    await assert.rejects(call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.topic/`, { topic: "t".repeat(70_000) }),
      (e: unknown) => e instanceof ApiError && e.status === 413);
    const outbox = await fed.get("a.test").hs?.context.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM federation_outbox WHERE json LIKE '%xxxxxxxxxx%'");
    assert.equal(Number(outbox?.n), 0, "nothing oversize queued for B");
    const after = await send("after", "t2");
    await waitFor("B has 'after'", async () => {
      await bobSync.poll(500);
      return bobSync.bodies(roomId).includes("after") || undefined;
    });
    // B holds A's next event, built on the last accepted one
    const onB = await fed.get("b.test").hs?.context.stores.events.getEvent(after.event_id);
    assert.deepEqual(onB?.event.pdu.prev_events, [before.event_id]);
    assert.equal(onB?.rejected, undefined);
  });
});
