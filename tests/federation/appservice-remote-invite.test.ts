// An invite from another council to a user of an application service (a bot of council B invited
// into a working group by an agent of council A) reaches B's appservice in its transactions, as
// Synapse does: the invite is an out-of-room membership (an outlier on B until the bot joins),
// and the appservice stream used to skip every outlier, so the bot never learnt of it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { FakeAppservice, writeRegistration } from "../appservice-helpers.ts";

const AS_TOKEN = "as-token-remote-invite-0123456789";
const HS_TOKEN = "hs-token-remote-invite-0123456789";

describe("a federated invite reaches the invited council's appservice", function () {
  this.timeout(120_000);
  let fed: TestFederation;
  let as: FakeAppservice;
  let regDir: string;

  before(async () => {
    regDir = mkdtempSync(join(tmpdir(), "entente-as-invite-"));
    as = await new FakeAppservice(HS_TOKEN).listen();
    const file = writeRegistration(regDir, "taches", `
id: taches
url: ${as.url}
as_token: ${AS_TOKEN}
hs_token: ${HS_TOKEN}
sender_localpart: taches
namespaces: { users: [{ exclusive: true, regex: "@taches:b\\\\.test" }], aliases: [], rooms: [] }
rate_limited: false
`);
    fed = await startFederation(["a.test", "b.test"], {
      configure: (name, c) => {
        if (name === "b.test") c.appservices = { ...c.appservices, registrationFiles: [file], retryInitialMs: 30, retryMaxMs: 150 };
      },
    });
  });
  after(async () => {
    await fed?.stop();
    await as?.close();
    rmSync(regDir, { recursive: true, force: true });
  });

  it("the appservice gets the invite and its bot can join", async () => {
    const a = fed.get("a.test").url;
    const b = fed.get("b.test").url;
    const alice: Session = await registerUser(a, "alice");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "private_chat", invite: ["@taches:b.test"] });
    const invite = await waitFor("the invite in B's appservice transactions", () =>
      as.events().find((e: { type: string; state_key?: string; room_id?: string }) => e.type === "m.room.member" && e.state_key === "@taches:b.test" && e.room_id === roomId), 30_000);
    assert.equal(invite.content.membership, "invite");
    assert.equal(invite.sender, alice.userId);
    const bot: Session = { userId: "@taches:b.test", accessToken: AS_TOKEN } as Session;
    await call(b, bot, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
    await waitFor("the bot's join seen by the appservice", () =>
      as.events().find((e: { type: string; state_key?: string; content?: { membership?: string } }) => e.type === "m.room.member" && e.state_key === "@taches:b.test" && e.content?.membership === "join"), 30_000);
    // the invite was sent once, not again when the room became known
    assert.equal(as.events().filter((e: { event_id: string }) => e.event_id === invite.event_id).length, 1);
  });
});
