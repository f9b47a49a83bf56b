// A local event's federation destinations come from the room's kept members (rooms/room-members.ts,
// keyed by state group, dropped when a membership change arrives): a council whose user joined
// gets the next message, and once its last user left it gets no further event of the room.
// The destinations are read where the event's queue rows are written (FederationSender.enqueuePduTx).
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, SyncFollower, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";

for (const db of ["sqlite", "postgres"] as const) describe(`federation destinations follow the room's members (${db})`, function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let alice: Session, bob: Session;
  let a: string, b: string;
  let roomId: string;
  let n = 0;
  /** The destinations each PDU of A was queued for, by event content body. */
  const queued = new Map<string, string[]>();

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    a = fed.get("ville-a.test").url;
    b = fed.get("agglo-b.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    const sender = fed.get("ville-a.test").hs?.context.federation?.sender;
    assert.ok(sender);
    const enqueue = sender.enqueuePduTx.bind(sender);
    sender.enqueuePduTx = (tx, destinations, pdu) => {
      const ds = [...destinations];
      const body = (pdu as { content?: { body?: unknown } }).content?.body;
      if (typeof body === "string") queued.set(body, ds.filter((d) => d !== "ville-a.test"));
      return enqueue(tx, ds, pdu);
    };
  });
  after(() => fed?.stop());

  const aliceSends = async (): Promise<string> => {
    const body = `message ${n++}`;
    await call(a, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/d${n}`, { msgtype: "m.text", body });
    return body;
  };

  /** Waits until A's joined members of the room have (or no longer have) bob. */
  const bobJoinedOnA = (joined: boolean): Promise<unknown> => waitFor(`bob ${joined ? "joined" : "left"} on A`, async () => {
    const m = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `${C}/rooms/${enc(roomId)}/joined_members`);
    return bob.userId in m.joined === joined || undefined;
  });

  it("sends to a council once its user joined, and stops after its last user left", async () => {
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }));
    const m0 = await aliceSends();
    await aliceSends(); // the room's members (alice alone) are kept
    assert.deepEqual(queued.get(m0), []);

    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    await bobJoinedOnA(true);
    const m1 = await aliceSends();
    const m2 = await aliceSends();
    assert.deepEqual(queued.get(m1), ["agglo-b.test"], "the first message after bob's join was not queued for B");
    assert.deepEqual(queued.get(m2), ["agglo-b.test"]);
    const follower = new SyncFollower(b, bob);
    await waitFor("bob sees the message", async () => {
      await follower.poll(1000);
      return follower.bodies(roomId).includes(m2) || undefined;
    });

    await call(b, bob, "POST", `${C}/rooms/${enc(roomId)}/leave`, {});
    await bobJoinedOnA(false);
    const m3 = await aliceSends();
    const m4 = await aliceSends();
    assert.deepEqual(queued.get(m3), [], "a message after the last member of B left was queued for B");
    assert.deepEqual(queued.get(m4), []);

    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    await bobJoinedOnA(true);
    const m5 = await aliceSends();
    assert.deepEqual(queued.get(m5), ["agglo-b.test"], "the first message after bob's new join was not queued for B");
  });
});
