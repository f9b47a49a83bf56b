// The client's core/ session (matrix-js-sdk + Rust crypto, in memory here) against two federating
// councils: secure backup at first sign-in, a space with an encrypted room, invitation across
// councils, messages, an encrypted file, and history restored on a new device with the recovery key.
import assert from "node:assert/strict";
import { logger } from "matrix-js-sdk/lib/logger.js";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { passwordSignIn } from "../../client/src/core/sign-in.ts";
import { buildTimeline, type MessageItem } from "../../client/src/core/timeline-model.ts";
import { textContent } from "../../client/src/core/message-content.ts";
import { buildRoomList } from "../../client/src/core/room-list-model.ts";

(logger as unknown as { setLevel(level: string): void }).setLevel("error");
// Loaded after the level is set: the SDK's per-module loggers copy the level when they are made.
const { MatrixChatSession } = await import("../../client/src/core/matrix-session.ts");
type MatrixChatSession = Awaited<ReturnType<typeof MatrixChatSession.start>>;
const PASSWORD = "correct horse battery staple";

const bodies = (s: MatrixChatSession, roomId: string): string[] =>
  buildTimeline(s.roomEvents(roomId), s.userId).filter((i): i is MessageItem => i.kind === "message" && !i.undecryptable).map((i) => i.body);

async function signIn(url: string, user: string): Promise<MatrixChatSession> {
  const session = await passwordSignIn(url, user, PASSWORD, fetch);
  return MatrixChatSession.start(session, { useIndexedDB: false, password: PASSWORD, initialSyncLimit: 50 });
}

describe("client core session over two councils", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  const sessions: MatrixChatSession[] = [];
  before(async () => {
    fed = await startFederation(["core-a.test", "core-b.test"]);
    await registerUser(fed.get("core-a.test").url, "alice", PASSWORD);
    await registerUser(fed.get("core-b.test").url, "bob", PASSWORD);
  });
  after(async () => {
    for (const s of sessions) s.stop();
    await fed?.stop();
  });

  it("sets up backup, shares an encrypted room in a space across councils, restores history on a new device", async () => {
    const alice = await signIn(fed.get("core-a.test").url, "alice");
    sessions.push(alice);
    const bob = await signIn(fed.get("core-b.test").url, "bob");
    sessions.push(bob);
    const aliceKey = await waitFor("alice's recovery key", () => { const r = alice.state().recovery; return r.kind === "show-key" ? r.recoveryKey : undefined; }, 60_000);
    const bobKey = await waitFor("bob's recovery key", () => { const r = bob.state().recovery; return r.kind === "show-key" ? r.recoveryKey : undefined; }, 60_000);
    assert.match(aliceKey, /^(\w{4} ){11}\w{4}$/, "a recovery key in the usual 48-character groups");

    const space = await alice.createSpace("Voirie");
    const room = await alice.createRoom({ name: "Chantier rue Haute", topic: "", spaceId: space, encrypted: true });
    await waitFor("room listed in its space", () => buildRoomList(alice.state().rooms).spaces.find((g) => g.rooms.some((r) => r.roomId === room)));
    await alice.invite(room, "@bob:core-b.test");
    await waitFor("bob invited to space and room", () => { const inv = bob.state().rooms.filter((r) => r.membership === "invite").map((r) => r.roomId); return inv.includes(room) && inv.includes(space) ? true : undefined; });
    await bob.join(space);
    await bob.join(room);
    await waitFor("bob's room in alice's space on bob's side", () => buildRoomList(bob.state().rooms).spaces.find((g) => g.rooms.some((r) => r.roomId === room)));
    await waitFor("alice sees bob joined", () => (alice.memberName(room, "@bob:core-b.test") === "bob" ? true : undefined));

    await alice.send(room, "m.room.message", textContent("Réunion **jeudi**"));
    await waitFor("bob decrypts alice's message", () => (bodies(bob, room).includes("Réunion **jeudi**") ? true : undefined), 30_000);
    assert.ok(bob.state().rooms.find((r) => r.roomId === room)?.unread, "an unread count for bob");
    await bob.send(room, "m.room.message", textContent("D'accord"));
    await waitFor("alice decrypts bob's answer", () => (bodies(alice, room).includes("D'accord") ? true : undefined), 30_000);

    // A file, encrypted in the browser's way, read back decrypted on the other council.
    const data = new TextEncoder().encode("plan du chantier");
    const handle = alice.upload(room, new File([data], "plan.txt", { type: "text/plain" }), () => undefined);
    await handle.done;
    const fileItem = await waitFor("bob sees the file", () => buildTimeline(bob.roomEvents(room), bob.userId).find((i): i is MessageItem => i.kind === "message" && i.file !== undefined));
    assert.ok(fileItem.file?.encrypted, "an encrypted file in an encrypted room");
    assert.equal(await (await bob.download(fileItem.file!)).text(), "plan du chantier");

    // Bob on a new device: history unreadable until the recovery key restores the backup.
    const bob2 = await MatrixChatSession.start(await passwordSignIn(fed.get("core-b.test").url, "bob", PASSWORD, fetch), { useIndexedDB: false, initialSyncLimit: 50 });
    sessions.push(bob2);
    await waitFor("new device asks for the recovery key", () => (bob2.state().recovery.kind === "ask-key" ? true : undefined), 30_000);
    await assert.rejects(bob2.restoreFromRecoveryKey(aliceKey), "another person's key does not open bob's backup");
    const restored = await waitFor("keys restored", async () => { const n = await bob2.restoreFromRecoveryKey(bobKey); return n > 0 ? n : undefined; }, 30_000);
    assert.ok(restored >= 1);
    await waitFor("bob's new device reads the earlier messages", () => { const b = bodies(bob2, room); return b.includes("Réunion **jeudi**") && b.includes("D'accord") ? true : undefined; }, 30_000);
  });
});
