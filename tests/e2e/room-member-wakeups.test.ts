// Who a message wakes (compose.ts notifyRoom with rooms/room-members.ts): members are kept per
// room and state group, so a send reads nothing once its room is kept. The list must follow
// membership exactly: one who just joined is woken by the next message (and gets it through a
// long-poll), one who left is not woken any more. The room's members are kept (a message before
// each change) so every check runs through the kept list, not a fresh read.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { aliceAndBobInPublicRoom } from "../harness/public-room.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Sync = { next_batch: string; rooms?: { join?: Record<string, { timeline?: { events?: { event_id: string }[] } }> } };

for (const db of ["sqlite", "postgres"] as const) describe(`room member wake-ups (${db})`, function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  let alice: Session, bob: Session, carol: Session;
  let roomId: string;
  let n = 0;

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    server = await startTestHomeserver({ db });
    ({ alice, bob, roomId } = await aliceAndBobInPublicRoom(server.url));
    carol = await registerUser(server.url, "carol");
  });
  after(() => server?.stop());

  const version = (u: Session): number => server.hs.context.notifier.version(u.userId);
  /** Bob sends a message; resolves once its wake-up ran (alice, a member throughout, was woken). */
  const bobSends = async (): Promise<string> => {
    const seen = version(alice);
    const { event_id: id } = await call<{ event_id: string }>(server.url, bob, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/w${n++}`, { msgtype: "m.text", body: `message ${n}` });
    await server.hs.context.notifier.wait(alice.userId, seen, 30_000);
    assert.notEqual(version(alice), seen, "alice was not woken by bob's message");
    return id;
  };

  /** A membership change of carol's; resolves once its own wake-up ran (alice woken). */
  const carolDoes = async (path: string): Promise<void> => {
    const seen = version(alice);
    await call(server.url, carol, "POST", path, {});
    await server.hs.context.notifier.wait(alice.userId, seen, 30_000);
    assert.notEqual(version(alice), seen, "alice was not woken by carol's membership");
  };

  it("wakes a user who just joined for the next message, through a long-poll", async () => {
    await bobSends(); // the room's members before carol's join are kept
    await bobSends();
    await carolDoes(`${C}/join/${enc(roomId)}`);
    const first = await call<Sync>(server.url, carol, "GET", `${C}/sync?timeout=0`);
    const seen = version(carol);
    const poll = call<Sync>(server.url, carol, "GET", `${C}/sync?timeout=60000&since=${enc(first.next_batch)}`);
    const id = await bobSends();
    // a missed wake-up leaves carol's long-poll waiting its 60 s (this wait gives up after 30)
    await server.hs.context.notifier.wait(carol.userId, seen, 30_000);
    assert.notEqual(version(carol), seen, "carol, who just joined, was not woken");
    const got = await poll;
    assert.ok(got.rooms?.join?.[roomId]?.timeline?.events?.some((e) => e.event_id === id), "carol's long-poll lacks bob's message");
    await bobSends(); // kept again with carol in it
  });

  it("no longer wakes a user who left", async () => {
    await bobSends();
    await carolDoes(`${C}/rooms/${enc(roomId)}/leave`);
    const afterLeave = version(carol);
    await bobSends();
    await bobSends(); // the second one from the kept list of the state after the leave
    assert.equal(version(carol), afterLeave, "carol, who left, was woken by bob's messages");
  });

  it("wakes a user who joins again", async () => {
    await carolDoes(`${C}/join/${enc(roomId)}`);
    const seen = version(carol);
    await bobSends();
    assert.notEqual(version(carol), seen, "carol, back in the room, was not woken");
  });
});
