// unsigned.prev_content / replaces_state / prev_sender on served state events (spec: room event
// format). Element words member changes from prev_content: without it a display-name change
// reads « X joined the room » and an unban or a withdrawn invite is mis-worded. Checked on the
// woken /sync's timeline, on /messages and /event, read by matrix-js-sdk's own getPrevContent
// (what Element calls), with the previous event redacted (its content redacted too), on both databases.
import assert from "node:assert/strict";
import { MatrixEvent } from "matrix-js-sdk";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, C } from "../appservice-helpers.ts";

type Json = Record<string, unknown>;

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`served state events carry the state they replaced (${db})`, function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    t = await startTestHomeserver({ db });
  });
  after(async () => {
    await t?.stop();
  });

  it("a display-name change: prev_content, replaces_state and prev_sender in /sync, /messages and /event; a redacted previous event gives redacted content", async () => {
    const alice = await registerUser(t.url, "alice");
    const bob = await registerUser(t.url, "bob");
    const enc = encodeURIComponent;
    const room = (await call(t.url, "POST", `${C}/createRoom`, { token: alice.accessToken, body: { preset: "public_chat", name: "Voirie" } })).body.room_id as string;
    assert.equal((await call(t.url, "POST", `${C}/join/${enc(room)}`, { token: bob.accessToken, body: {} })).status, 200);
    const aliceSince = (await call(t.url, "GET", `${C}/sync?timeout=0`, { token: alice.accessToken })).body.next_batch as string;
    const rename = (await call(t.url, "PUT", `${C}/rooms/${enc(room)}/state/m.room.member/${enc(bob.userId)}`, { token: bob.accessToken, body: { membership: "join", displayname: "Bob Martin" } })).body.event_id as string;

    const sync = (await call(t.url, "GET", `${C}/sync?timeout=0&since=${enc(aliceSince)}`, { token: alice.accessToken })).body as Json;
    const timeline = (((sync["rooms"] as Json)["join"] as Json)[room] as { timeline: { events: Json[] } }).timeline.events;
    const served = timeline.find((e) => e["event_id"] === rename);
    assert.ok(served !== undefined, "the rename in alice's timeline");
    const unsigned = served["unsigned"] as Json;
    assert.equal((unsigned["prev_content"] as Json)["membership"], "join");
    assert.equal((unsigned["prev_content"] as Json)["displayname"], "bob");
    assert.equal(unsigned["prev_sender"], bob.userId);
    // what Element reads: a display-name change, not a join
    const ev = new MatrixEvent(served as never);
    assert.deepEqual([ev.getPrevContent()["membership"], ev.getPrevContent()["displayname"], ev.getContent()["displayname"]], ["join", "bob", "Bob Martin"]);

    const page = (await call(t.url, "GET", `${C}/rooms/${enc(room)}/messages?dir=b&limit=5`, { token: alice.accessToken })).body as { chunk: Json[] };
    const inPage = page.chunk.find((e) => e["event_id"] === rename);
    assert.equal(((inPage?.["unsigned"] as Json)["prev_content"] as Json)["displayname"], "bob", "/messages");
    const single = (await call(t.url, "GET", `${C}/rooms/${enc(room)}/event/${enc(rename)}`, { token: alice.accessToken })).body as Json;
    assert.equal(((single["unsigned"] as Json)["prev_content"] as Json)["displayname"], "bob", "/event");
    const message = page.chunk.find((e) => e["type"] === "m.room.create");
    assert.equal((message?.["unsigned"] as Json | undefined)?.["prev_content"], undefined, "nothing replaced: no prev_content");

    // the previous member event redacted: its content as redacted (membership only)
    const joinEvent = page.chunk.find((e) => e["type"] === "m.room.member" && e["state_key"] === bob.userId && e["event_id"] !== rename);
    assert.ok(joinEvent !== undefined);
    assert.equal(unsigned["replaces_state"], joinEvent["event_id"], "replaces_state: bob's join");
    assert.equal((await call(t.url, "PUT", `${C}/rooms/${enc(room)}/redact/${enc(joinEvent["event_id"] as string)}/r1`, { token: alice.accessToken, body: {} })).status, 200);
    const after = (await call(t.url, "GET", `${C}/rooms/${enc(room)}/event/${enc(rename)}`, { token: alice.accessToken })).body as Json;
    assert.deepEqual((after["unsigned"] as Json)["prev_content"], { membership: "join" });
  });
});
