// The push evaluation's cursor never passes positions a rolled-back write freed (SQLite: a failed
// group's AUTOINCREMENT positions go to the next events). Two messages are executed in a group whose
// COMMIT fails (a deferred foreign key in a body held open), each asking the evaluation for its
// position as the send path does (onExecuted); afterwards Alice's next two messages take the same
// positions and must both notify Bob. Before: the run queued behind the first read the empty range
// up to the second's position and recorded the cursor there, so the next two messages were never
// evaluated (review R8; real homeserver).
import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../homeserver/src/room/pdu.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";
import { call as api, enc, type Session } from "../harness/client-api.ts";
import { prepareFailingCommit, stagePoisonBody } from "../harness/failing-group.ts";

const C = "/_matrix/client/v3";

describe("push cursor after a group whose COMMIT failed (SQLite)", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;
  after(() => server?.stop());

  it("messages that take the freed positions are evaluated and notify", async () => {
    server = await startTestHomeserver();
    const { url } = server;
    const s = server.hs.context;
    const alice: Session = await registerUser(url, "alice");
    const bob: Session = await registerUser(url, "bob");
    const roomId = String((await api<JsonObject>(url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" }))["room_id"]);
    await api(url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
    await api(url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/first`, { msgtype: "m.text", body: "un" });
    const notified = async (): Promise<string[]> =>
      ((await api<JsonObject>(url, bob, "GET", `${C}/notifications`))["notifications"] as JsonObject[]).map((n) => String((n["event"] as JsonObject)["event_id"]));
    const first = (await notified())[0];
    assert.ok(first, "the first message notifies Bob");

    await prepareFailingCommit(s.db);
    const template = (await s.stores.events.getEvent(first))?.event.pdu;
    assert.ok(template);
    const room = await s.stores.rooms.getRoom(roomId);
    const message = (eventId: string, body: string) => (tx: Parameters<Parameters<NonNullable<typeof s.db.stage>>[0]>[0]) =>
      s.stores.events.persist(tx, { event: { eventId, pdu: { ...template, content: { msgtype: "m.text", body } } as Pdu }, roomId, stateGroupBefore: room?.currentStateGroup, builtOnCurrent: true });
    assert.ok(s.db.stage);
    const one = s.db.stage(message("$never-1", "jamais 1"));
    const poison = stagePoisonBody(s.db);
    const { stream: s1 } = await one.executed;
    const runs = [s.push.eventPersisted(s1)]; // as onExecuted does
    await poison.held;
    const two = s.db.stage(message("$never-2", "jamais 2"));
    poison.release();
    const { stream: s2 } = await two.executed; // the same group, gathered after the poison body
    runs.push(s.push.eventPersisted(s2));
    await assert.rejects(one.committed, /FOREIGN KEY/);
    await assert.rejects(two.committed, /FOREIGN KEY/);
    await assert.rejects(poison.committed, /FOREIGN KEY/);
    await Promise.all(runs);
    await s.push.eventPersisted(s2); // a caller holding the undone position, after the failure

    const sent: string[] = [];
    for (const n of ["a", "b"]) sent.push((await api<{ event_id: string }>(url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/after-${n}`, { msgtype: "m.text", body: n })).event_id);
    const positions = await Promise.all(sent.map(async (id) => (await s.stores.events.getEvent(id))?.stream));
    assert.deepEqual(positions, [s1, s2], "the next messages take the freed positions (else this test shows nothing)");
    assert.deepEqual((await notified()).slice(0, 3), [...sent].reverse().concat([first]));
  });
});
