// Event auth uses a redacted auth event as redacted: "when redacted, state events behave as though
// their properties were simply not specified, except those protected by the redaction algorithm"
// (https://spec.matrix.org/v1.16/client-server-api/#redactions), as Synapse does (its event reads
// prune redacted events). In room versions 1 to 10 the redaction algorithm drops `invite` from
// m.room.power_levels, so once Alice redacts a power levels event that raised the invite level to
// 50, the invite level is back to its default, 0: a member with level 0 may invite.
// Real councils over HTTPS, a version 10 room of A: Dave (on A) invites through A's local send
// path; Bob (on B) invites through B's local path, and A receives that invite over federation
// (remote-input's checks on receipt). Before the fix both were refused (403 on B; on A the invite
// would have been rejected against its auth events).
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";

for (const db of ["sqlite", "postgres"] as const) describe(`event auth with a redacted power levels event, room version 10 (${db})`, function () {
  this.timeout(120_000);
  let fed: TestFederation | undefined;
  after(() => fed?.stop());

  it("authorises an invite by the redacted content (invite level back to 0), locally and on receipt", async function () {
    if (db === "postgres") await requirePostgres(this);
    fed = await startFederation(["ville-a.test", "agglo-b.test"], { db });
    const a = fed.get("ville-a.test").url;
    const b = fed.get("agglo-b.test").url;
    const alice: Session = await registerUser(a, "alice");
    const dave: Session = await registerUser(a, "dave");
    const carol: Session = await registerUser(a, "carol");
    const erin: Session = await registerUser(a, "erin");
    const bob: Session = await registerUser(b, "bob");
    const { room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", `${C}/createRoom`, { preset: "public_chat", room_version: "10" });
    const room = `${C}/rooms/${enc(roomId)}`;
    const levels = await call<Record<string, unknown>>(a, alice, "GET", `${room}/state/m.room.power_levels/`);
    const { event_id: levelsId } = await call<{ event_id: string }>(a, alice, "PUT", `${room}/state/m.room.power_levels/`, { ...levels, invite: 50 });
    await call(a, dave, "POST", `${C}/join/${enc(roomId)}`, {});
    await call(b, bob, "POST", `${C}/join/${enc(roomId)}?server_name=ville-a.test`, {});
    await assert.rejects(call(a, dave, "POST", `${room}/invite`, { user_id: erin.userId }), (e: unknown) => e instanceof ApiError && e.status === 403, "the invite level 50 applies before the redaction");

    await call(a, alice, "PUT", `${room}/redact/${enc(levelsId)}/r1`, { reason: "test" });
    // B applied the redaction too (its row of the event is marked)
    const bStore = fed.get("agglo-b.test").hs?.context.stores.events;
    assert.ok(bStore);
    await waitFor("B redacted the power levels", async () => (await bStore.getEvent(levelsId))?.redactedBy);

    // local send path (A)
    await call(a, dave, "POST", `${room}/invite`, { user_id: erin.userId });
    // B builds on it (no fork: a resolution would read the power levels as stored, see the README)
    const erinInvite = await fed.get("ville-a.test").hs?.context.stores.rooms.currentStateId(roomId, "m.room.member", erin.userId);
    assert.ok(erinInvite);
    await waitFor("B has Erin's invite", async () => (await bStore.getEvent(erinInvite)) ?? undefined);
    // B's local send path, then A's checks on receipt of Bob's invite
    await call(b, bob, "POST", `${room}/invite`, { user_id: carol.userId });
    const member = await waitFor("A accepted Bob's invite of Carol", async () => {
      try {
        return await call<{ membership: string }>(a, alice, "GET", `${room}/state/m.room.member/${enc(carol.userId)}`);
      } catch {
        return undefined;
      }
    });
    assert.equal(member.membership, "invite");
    const state = await call<{ membership: string }>(a, alice, "GET", `${room}/state/m.room.member/${enc(erin.userId)}`);
    assert.equal(state.membership, "invite");
  });
});
