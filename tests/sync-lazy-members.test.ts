// /sync with lazy-loaded members (spec: "Lazy-loading room members"): an incremental sync carries
// the member event of each timeline sender the device was not sent yet — not only of members that
// changed since the token — and not again once the device synced past the response that carried
// it; `include_redundant_members` sends them every time; a device that syncs again from an older
// token (it never got the response) is sent them again.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "./harness/homeserver.ts";
import { call, enc } from "./harness/client-api.ts";

interface Ev { type: string; state_key?: string; sender: string }
interface Sync { next_batch: string; rooms?: { join?: Record<string, { state: { events: Ev[] }; timeline: { events: Ev[] } }> } }

describe("/sync: lazy-loaded members on incremental syncs", function () {
  this.timeout(60_000);
  let hs: TestHomeserver;
  after(() => hs?.stop());

  it("sends a timeline sender's member event once per device, again to an older token, always with include_redundant_members", async () => {
    hs = await startTestHomeserver();
    const [alice, bob, carol] = [await registerUser(hs.url, "alice"), await registerUser(hs.url, "bob"), await registerUser(hs.url, "carol")];
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    for (const u of [bob, carol]) await call(hs.url, u, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    for (let i = 0; i < 5; i++) await call(hs.url, carol, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/c${i}`, { msgtype: "m.text", body: `c${i}` });
    const say = (n: number): Promise<unknown> => call(hs.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/a${n}`, { msgtype: "m.text", body: `a${n}` });
    const sync = async (since: string | undefined, redundant = false): Promise<{ next: string; members: string[] }> => {
      const filter = JSON.stringify({ room: { state: { lazy_load_members: true, ...(redundant ? { include_redundant_members: true } : {}) }, timeline: { limit: 3 } } });
      const r = await call<Sync>(hs.url, bob, "GET", `/_matrix/client/v3/sync?timeout=0&filter=${enc(filter)}${since ? `&since=${enc(since)}` : ""}`);
      const room = r.rooms?.join?.[roomId];
      return { next: r.next_batch, members: (room?.state.events ?? []).filter((e) => e.type === "m.room.member").map((e) => e.state_key ?? "").sort() };
    };

    const initial = await sync(undefined);
    assert.deepEqual(initial.members, [bob.userId, carol.userId].sort(), "initial: the senders shown and the user");
    await say(1);
    const first = await sync(initial.next);
    assert.deepEqual(first.members, [alice.userId], "alice's member event, never sent to this device, comes with her message");
    await say(2);
    const second = await sync(first.next);
    assert.deepEqual(second.members, [], "not again once the device synced past it");
    await say(3);
    const replay = await sync(initial.next);
    assert.deepEqual(replay.members, [alice.userId], "from a token older than the response that carried it: sent again");
    const redundant = await sync(second.next, true);
    assert.deepEqual(redundant.members, [alice.userId], "include_redundant_members: sent every time");
  });
});
