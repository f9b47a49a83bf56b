import assert from "node:assert/strict";
import { stateKeyOf } from "../pdu.ts";
import type { JsonObject, Pdu } from "../pdu.ts";
import { authEventTypes } from "./auth-event-types.ts";
import { ALICE, BOB, CAROL, versionOf } from "./auth-test-room.ts";

const pdu = (type: string, sender: string, content: JsonObject = {}, stateKey?: string): Pdu => {
  const p: Pdu = {
    type, sender, content, auth_events: [], prev_events: ["$p"], depth: 3, hashes: { sha256: "" },
    origin_server_ts: 0, room_id: "!r:a.example", signatures: {},
  };
  if (stateKey !== undefined) p.state_key = stateKey;
  return p;
};
const sorted = (keys: string[]): string[] => [...keys].sort();
const CREATE = stateKeyOf("m.room.create", "");
const PL = stateKeyOf("m.room.power_levels", "");
const JR = stateKeyOf("m.room.join_rules", "");
const member = (user: string) => stateKeyOf("m.room.member", user);

describe("authEventTypes", () => {
  it("selects nothing for m.room.create", () => {
    assert.deepEqual(authEventTypes(pdu("m.room.create", ALICE, {}, ""), versionOf("11")), []);
  });
  it("a message: create, power levels and the sender's membership", () => {
    assert.deepEqual(sorted(authEventTypes(pdu("m.room.message", BOB), versionOf("11"))), sorted([CREATE, PL, member(BOB)]));
  });
  it("v12 never selects the create event", () => {
    assert.deepEqual(sorted(authEventTypes(pdu("m.room.message", BOB), versionOf("12"))), sorted([PL, member(BOB)]));
  });
  it("a join adds join rules; a self-join lists the member once", () => {
    const keys = authEventTypes(pdu("m.room.member", BOB, { membership: "join" }, BOB), versionOf("10"));
    assert.deepEqual(sorted(keys), sorted([CREATE, PL, member(BOB), JR]));
  });
  it("a kick adds the target's membership but not the join rules", () => {
    const keys = authEventTypes(pdu("m.room.member", ALICE, { membership: "leave" }, BOB), versionOf("6"));
    assert.deepEqual(sorted(keys), sorted([CREATE, PL, member(ALICE), member(BOB)]));
  });
  it("invite and knock add the join rules", () => {
    for (const membership of ["invite", "knock"]) {
      const keys = authEventTypes(pdu("m.room.member", BOB, { membership }, BOB), versionOf("12"));
      assert.ok(keys.includes(JR), membership);
    }
  });
  it("a third-party invite adds the m.room.third_party_invite for its token", () => {
    const content = { membership: "invite", third_party_invite: { signed: { mxid: BOB, token: "abc" } } };
    const keys = authEventTypes(pdu("m.room.member", ALICE, content, BOB), versionOf("9"));
    assert.ok(keys.includes(stateKeyOf("m.room.third_party_invite", "abc")));
  });
  it("restricted joins add the authorising user's membership from v8", () => {
    const content = { membership: "join", join_authorised_via_users_server: CAROL };
    assert.ok(authEventTypes(pdu("m.room.member", BOB, content, BOB), versionOf("8")).includes(member(CAROL)));
    assert.ok(!authEventTypes(pdu("m.room.member", BOB, content, BOB), versionOf("7")).includes(member(CAROL)));
    const invite = { membership: "invite", join_authorised_via_users_server: CAROL };
    assert.ok(!authEventTypes(pdu("m.room.member", ALICE, invite, BOB), versionOf("9")).includes(member(CAROL)));
  });
});
