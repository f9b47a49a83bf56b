// Issue 16: an appservice's interest in a new event (its users joined to the room) is answered
// from the room's kept members (rooms/room-members.ts) when no membership change of the room is in
// flight: a message costs the feeder no members read. A user of its namespace who joins is seen
// at once: the bot receives the room's next message.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestHomeserver, registerUser, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, writeRegistration, C } from "../appservice-helpers.ts";
import { startRecordingAppservice, type RecordingAppservice } from "../harness/recording-appservice.ts";

describe("appservice interest from the kept room members", function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  let regDir: string;
  let bot: RecordingAppservice;
  let received: string[] = [];

  before(async () => {
    bot = await startRecordingAppservice();
    received = bot.received;
    const port = bot.port;
    regDir = mkdtempSync(join(tmpdir(), "entente-as-kept-"));
    const yaml = `id: keptbot\nurl: http://127.0.0.1:${port}\nas_token: as-kept\nhs_token: hs-kept\nsender_localpart: keptbot\nnamespaces: { users: [{ exclusive: false, regex: "@pont_.*" }] }\n`;
    t = await startTestHomeserver({ db: "sqlite", overrides: { appservices: { registrationFiles: [writeRegistration(regDir, "keptbot", yaml)], retryInitialMs: 1000, retryMaxMs: 1000 } } });
  });
  after(async () => {
    await t?.stop();
    await bot?.close();
    if (regDir) rmSync(regDir, { recursive: true, force: true });
  });

  it("a message reads no members for the interest check; a namespace user's join is seen by the next message", async () => {
    const s = t.hs.context;
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const roomId = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(roomId)}`, { token: bob.accessToken, body: {} })).status, 200);
    const feeder = (s.appservices as unknown as { feeder: { positions: Map<string, { events: { read: number } }> } }).feeder;
    const send = async (txn: string, body: string): Promise<number> => {
      const r = await call(t.url, "PUT", `${C}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`, { token: alice.accessToken, body: { msgtype: "m.text", body } });
      assert.equal(r.status, 200);
      return (await s.stores.events.streamOf(String(r.body.event_id))) ?? assert.fail("no position");
    };
    /** Waits until the feeder has gone past `stream` (the bot's events read up to it). */
    const fed = (stream: number): Promise<unknown> => waitFor("the feeder past the message", () => ((feeder.positions.get("keptbot")?.events.read ?? 0) >= stream ? true : undefined));
    await fed(await send("m0", "avant"));
    const rooms = s.stores.rooms;
    const members = rooms.members.bind(rooms);
    let reads = 0;
    rooms.members = (room, membership) => (room === roomId && membership === "join" && reads++, members(room, membership));
    await fed(await send("m1", "bonjour"));
    assert.equal(reads, 0, "the interest check took the kept members");
    assert.ok(!received.some((b) => b.includes("bonjour")), "no user of the bot's namespace in the room: nothing pushed");
    rooms.members = members;
    // a user of the namespace joins: the bot gets the join, then the room's next message
    const pont = await registerUser(t.url, "pont_marie");
    assert.equal((await call(t.url, "POST", `${C}/join/${encodeURIComponent(roomId)}`, { token: pont.accessToken, body: {} })).status, 200);
    await send("m2", "après la jonction");
    await waitFor("the bot receives the message after the join", () => (received.some((b) => b.includes("après la jonction")) ? true : undefined));
  });
});
