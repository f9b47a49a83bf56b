// A dossier's uploader seen by an agent who joined later, with members lazy-loaded (as the web
// client syncs): a real homeserver and real matrix-js-sdk clients. Alice sends a file, Carol then
// sends more messages than the join sync's timeline holds and invites Bob: Bob's sync carries no
// member event for Alice. The dossier port's snapshot loads the members (c6f0c88), so the members
// list and the uploader's name (« Alice Martin », not @alice:…) include her. A plain room: the
// members do not depend on the dossier's events or their encryption.
import assert from "node:assert/strict";
import type { MatrixClient } from "matrix-js-sdk";
import { MatrixDossiersPort } from "../client/src/core/dossiers/dossiers-sdk.ts";
import { call, enc } from "./harness/client-api.ts";
import { startTestHomeserver, waitFor, type TestHomeserver } from "./harness/homeserver.ts";
import { newClient, startSyncing, type TestClient } from "./harness/matrix-client.ts";

describe("dossier members: an uploader out of a later member's lazy-loaded sync", function () {
  this.timeout(60_000);
  let hs: TestHomeserver;
  let bob: TestClient | undefined;
  after(async () => {
    bob?.client.stopClient();
    await hs?.stop();
  });

  it("the snapshot loads the members: the uploader is listed and named", async () => {
    hs = await startTestHomeserver();
    const alice = await newClient(hs.url, "alice");
    const carol = await newClient(hs.url, "carol");
    bob = await newClient(hs.url, "bob");
    await call(hs.url, alice, "PUT", `/_matrix/client/v3/profile/${enc(alice.userId)}/displayname`, { displayname: "Alice Martin" });
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "private_chat", name: "Convention", invite: [carol.userId] });
    await call(hs.url, carol, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    await call(hs.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/f1`, { msgtype: "m.file", body: "convention.pdf", filename: "convention.pdf", url: "mxc://x/y", info: { size: 611 } });
    for (let i = 0; i < 25; i++) await call(hs.url, carol, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/c${i}`, { msgtype: "m.text", body: `relance ${i}` });
    await call(hs.url, carol, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: bob.userId });
    await call(hs.url, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});

    const client: MatrixClient = bob.client;
    await startSyncing(client, { lazyLoadMembers: true });
    await waitFor("Bob's room", () => (client.getRoom(roomId)?.getMyMembership() === "join" ? true : undefined));
    assert.equal(client.getRoom(roomId)?.getMember(alice.userId) ?? null, null, "precondition: Bob's sync did not carry Alice's member event");

    const port = new MatrixDossiersPort(client);
    await port.snapshot(roomId);
    assert.ok(port.members(roomId).some((m) => m.userId === alice.userId && m.name === "Alice Martin"), `members: ${port.members(roomId).map((m) => m.userId).join(", ")}`);
    assert.equal(port.memberName(roomId, alice.userId), "Alice Martin");
  });
});
