// Issue 15: removing a member from a dossier (kick, ban, or the member leaving) rotates the room key. With matrix-js-sdk's Rust crypto
// (what the web client runs), the first message sent after a member left goes in a NEW Megolm
// session: the member removed cannot decrypt that file message (so never gets the file's AES key),
// still decrypts the file message sent before (what the dossier view warns about), and the members
// who stay decrypt both.
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import { startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "../harness/matrix-client.ts";

/** A file message as the dossier sends it: the v2 attachment info holds the file's key. */
const fileMessage = (name: string, k: string) => ({
  msgtype: "m.file", body: name, info: { mimetype: "application/pdf", size: 1000 },
  file: { v: "2", url: "mxc://a.test/x", key: { kty: "oct", alg: "A256CTR", ext: true, key_ops: ["encrypt", "decrypt"], k }, iv: "AAAAAAAAAAAAAAAAAAAAAA", hashes: { sha256: "AAAA" } },
});

describe("dossiers: removing a member rotates the Megolm session (matrix-js-sdk Rust crypto)", function () {
  this.timeout(120_000);
  let hs: TestHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  let roomId: string;

  before(async () => {
    hs = await startTestHomeserver();
    [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((u) => newClient(hs.url, u))) as [TestClient, TestClient, TestClient];
    for (const c of [alice, bob, carol]) {
      await c.client.initRustCrypto({ useIndexedDB: false });
      await startSyncing(c.client);
    }
  });
  after(async () => {
    for (const c of [alice, bob, carol]) c?.client.stopClient();
    await hs?.stop();
  });

  /** `who` decrypting `eventId` from the event as the server serves it (bob can no longer read the room). */
  async function decryptAs(who: TestClient, eventId: string): Promise<Record<string, unknown> | undefined> {
    const res = await fetch(`${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    const ev = who.client.getEventMapper()((await res.json()) as Partial<sdk.IEvent>);
    await who.client.decryptEventIfNeeded(ev);
    return ev.isDecryptionFailure() || ev.getClearContent() === null ? undefined : ev.getContent();
  }
  const sessionOf = async (eventId: string): Promise<string> => {
    const res = await fetch(`${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    const ev = (await res.json()) as { type: string; content: { session_id?: string } };
    assert.equal(ev.type, "m.room.encrypted");
    return ev.content.session_id ?? "";
  };

  /** Bob removed by `how` (kicked or banned by Alice, or leaving himself). */
  async function removalRotates(how: "kick" | "ban" | "leave"): Promise<void> {
    ({ room_id: roomId } = await alice.client.createRoom({
      name: `Dossier budget (${how})`, preset: sdk.Preset.PrivateChat, invite: [bob.userId, carol.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    }));
    for (const c of [bob, carol]) {
      await waitFor(`${c.userId} invited`, () => c.client.getRoom(roomId)?.getMyMembership() === "invite" || undefined);
      await c.client.joinRoom(roomId);
      await waitFor(`${c.userId} joined on alice's side`, () => alice.client.getRoom(roomId)?.getMember(c.userId)?.membership === "join" || undefined);
    }
    const before = await alice.client.sendMessage(roomId, fileMessage("avant.pdf", "a".repeat(43)) as never);
    const sessionBefore = await sessionOf(before.event_id);
    assert.equal((await waitFor("bob decrypts the file sent before", () => decryptAs(bob, before.event_id)))["body"], "avant.pdf");

    if (how === "kick") await alice.client.kick(roomId, bob.userId);
    else if (how === "ban") await alice.client.ban(roomId, bob.userId, "fin de mission");
    else await bob.client.leave(roomId);
    const gone = how === "ban" ? "ban" : "leave";
    await waitFor(`bob's ${gone} on alice's side`, () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === gone || undefined);
    const after = await alice.client.sendMessage(roomId, fileMessage("apres.pdf", "b".repeat(43)) as never);
    const sessionAfter = await sessionOf(after.event_id);
    assert.notEqual(sessionAfter, sessionBefore, "a new Megolm session after the removal");

    assert.equal((await waitFor("carol decrypts the file sent after", () => decryptAs(carol, after.event_id)))["body"], "apres.pdf");
    assert.equal(await decryptAs(bob, after.event_id), undefined, "bob cannot decrypt the file message sent after (nor get its key)");
    const old = await decryptAs(bob, before.event_id);
    assert.equal((old?.["file"] as { key?: { k?: string } } | undefined)?.key?.k, "a".repeat(43), "files sent before stay readable to bob");
  }

  it("kicked: the file message after the removal uses a new session that the removed member cannot decrypt", () => removalRotates("kick"));
  it("banned: the same", () => removalRotates("ban"));
  it("left of their own accord: the same", () => removalRotates("leave"));
});
