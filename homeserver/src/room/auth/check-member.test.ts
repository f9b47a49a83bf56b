import assert from "node:assert/strict";
import type { JsonObject } from "../pdu.ts";
import { ALICE, ALL_VERSIONS, assertAllowed, assertRejected, BOB, CAROL, TestRoom } from "./auth-test-room.ts";
import type { VersionId } from "./auth-test-room.ts";

// Rule numbers per version, written out from the spec pages (not computed like the code does).
const M: Record<VersionId, { r: string; join: string; joinFinal: string; invite: string; leave: string; ban: string; unknown: string }> = {
  "6": { r: "4", join: "4.2", joinFinal: "4.2.6", invite: "4.3", leave: "4.4", ban: "4.5", unknown: "4.6" },
  "7": { r: "4", join: "4.2", joinFinal: "4.2.6", invite: "4.3", leave: "4.4", ban: "4.5", unknown: "4.7" },
  "8": { r: "4", join: "4.3", joinFinal: "4.3.7", invite: "4.4", leave: "4.5", ban: "4.6", unknown: "4.8" },
  "9": { r: "4", join: "4.3", joinFinal: "4.3.7", invite: "4.4", leave: "4.5", ban: "4.6", unknown: "4.8" },
  "10": { r: "4", join: "4.3", joinFinal: "4.3.7", invite: "4.4", leave: "4.5", ban: "4.6", unknown: "4.8" },
  "11": { r: "4", join: "4.3", joinFinal: "4.3.7", invite: "4.4", leave: "4.5", ban: "4.6", unknown: "4.8" },
  "12": { r: "5", join: "5.3", joinFinal: "5.3.7", invite: "5.4", leave: "5.5", ban: "5.6", unknown: "5.8" },
};
const KNOCK: Partial<Record<VersionId, string>> = { "7": "4.6", "8": "4.7", "9": "4.7", "10": "4.7", "11": "4.7", "12": "5.7" };
const via = (user: string): JsonObject => ({ join_authorised_via_users_server: user });
const viaSigned = (room: TestRoom, sender: string, user: string, server = "c.example") =>
  room.check(room.event({
    type: "m.room.member", sender, state_key: sender, content: { membership: "join", ...via(user) },
    signatures: { "b.example": { "ed25519:1": "s" }, [server]: { "ed25519:1": "s" } },
  }));

describe("checkAuth: m.room.member", () => {
  for (const v of ALL_VERSIONS) {
    const m = M[v];
    it(`v${v}: rejects a member event without membership (${m.r}.1)`, () => {
      const room = TestRoom.standard(v);
      assertRejected(room.check(room.event({ type: "m.room.member", sender: BOB, state_key: BOB })), `${m.r}.1`);
      assertRejected(room.check(room.event({ type: "m.room.member", sender: BOB, content: { membership: "join" } })), `${m.r}.1`);
    });
    it(`v${v}: rejects an unknown membership (${m.unknown})`, () => {
      assertRejected(TestRoom.standard(v).membership(BOB, BOB, "lurk"), m.unknown);
    });
    it(`v${v}: the creator's first join right after the create event is allowed (${m.join}.1)`, () => {
      const room = new TestRoom(v);
      const join = room.event({ type: "m.room.member", sender: ALICE, state_key: ALICE, content: { membership: "join" }, prev_events: ["$create"] });
      assertAllowed(room.check(join));
      const late = room.event({ type: "m.room.member", sender: ALICE, state_key: ALICE, content: { membership: "join" } });
      assertRejected(room.check(late), m.joinFinal);
    });
    it(`v${v}: public join allowed; joining for someone else (${m.join}.2) or while banned (${m.join}.3) not`, () => {
      const room = TestRoom.standard(v, "public");
      assertAllowed(room.membership(BOB, BOB, "join"));
      assertRejected(room.membership(ALICE, BOB, "join"), `${m.join}.2`);
      room.member(BOB, "ban");
      assertRejected(room.membership(BOB, BOB, "join"), `${m.join}.3`);
    });
    it(`v${v}: invite-only rooms need an invite (${m.joinFinal})`, () => {
      const room = TestRoom.standard(v, "invite");
      assertRejected(room.membership(BOB, BOB, "join"), m.joinFinal);
      room.member(BOB, "invite");
      assertAllowed(room.membership(BOB, BOB, "join"));
    });
    it(`v${v}: invites need a joined sender (${m.invite}.2), a free target (${m.invite}.3) and the invite level (${m.invite}.5)`, () => {
      const room = TestRoom.standard(v, "invite", { invite: 50 });
      assertAllowed(room.membership(ALICE, BOB, "invite"));
      assertRejected(room.membership(CAROL, BOB, "invite"), `${m.invite}.2`);
      room.member(CAROL, "join");
      assertRejected(room.membership(CAROL, BOB, "invite"), `${m.invite}.5`);
      room.member(BOB, "join");
      assertRejected(room.membership(ALICE, BOB, "invite"), `${m.invite}.3`);
      room.member(BOB, "ban");
      assertRejected(room.membership(ALICE, BOB, "invite"), `${m.invite}.3`);
    });
    it(`v${v}: leaving: yourself when invited or joined (${m.leave}.1)`, () => {
      const room = TestRoom.standard(v);
      assertRejected(room.membership(BOB, BOB, "leave"), `${m.leave}.1`);
      room.member(BOB, "invite");
      assertAllowed(room.membership(BOB, BOB, "leave"));
      room.member(BOB, "join");
      assertAllowed(room.membership(BOB, BOB, "leave"));
      room.member(BOB, "ban");
      assertRejected(room.membership(BOB, BOB, "leave"), `${m.leave}.1`);
    });
    it(`v${v}: kicks need the kick level and more power than the target (${m.leave}.2/.4/.5)`, () => {
      const room = TestRoom.standard(v, "public", { users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 50 } });
      room.member(BOB, "join");
      room.member(CAROL, "join");
      room.member("@dave:d.example", "join");
      assertAllowed(room.membership(BOB, "@dave:d.example", "leave"));
      assertRejected(room.membership(BOB, CAROL, "leave"), `${m.leave}.5`);
      assertRejected(room.membership("@dave:d.example", BOB, "leave"), `${m.leave}.5`);
      assertRejected(room.membership("@eve:e.example", BOB, "leave"), `${m.leave}.2`);
    });
    it(`v${v}: unbanning needs the ban level (${m.leave}.3)`, () => {
      const room = TestRoom.standard(v, "public", { users: { [ALICE]: 100, [BOB]: 60 }, ban: 70, kick: 50 });
      room.member(BOB, "join");
      room.member(CAROL, "ban");
      assertRejected(room.membership(BOB, CAROL, "leave"), `${m.leave}.3`);
      assertAllowed(room.membership(ALICE, CAROL, "leave"));
    });
    it(`v${v}: bans need a joined sender (${m.ban}.1), the ban level and more power (${m.ban}.3)`, () => {
      const room = TestRoom.standard(v, "public", { users: { [ALICE]: 100, [BOB]: 50 } });
      assertRejected(room.membership(BOB, CAROL, "ban"), `${m.ban}.1`);
      room.member(BOB, "join");
      assertAllowed(room.membership(BOB, CAROL, "ban"));
      assertRejected(room.membership(BOB, ALICE, "ban"), `${m.ban}.3`);
      room.powerLevels({ users: { [ALICE]: 100, [BOB]: 50 }, ban: 60 });
      assertRejected(room.membership(BOB, CAROL, "ban"), `${m.ban}.3`);
    });
  }
});

describe("checkAuth: knocking (v7+)", () => {
  it("v6: knock is an unknown membership and join rule", () => {
    assertRejected(TestRoom.standard("6", "knock").membership(BOB, BOB, "knock"), "4.6");
    const room = TestRoom.standard("6", "knock");
    room.member(BOB, "invite");
    assertRejected(room.membership(BOB, BOB, "join"), "4.2.6");
  });
  for (const v of ALL_VERSIONS.filter((x) => x !== "6")) {
    const k = KNOCK[v] ?? "?";
    const m = M[v];
    it(`v${v}: knocking on a knock room, once, for yourself (${k}.1/.2/.4)`, () => {
      const room = TestRoom.standard(v, "knock");
      assertAllowed(room.membership(BOB, BOB, "knock"));
      assertRejected(room.membership(ALICE, BOB, "knock"), `${k}.2`);
      assertRejected(TestRoom.standard(v, "public").membership(BOB, BOB, "knock"), `${k}.1`);
      room.member(BOB, "invite");
      assertRejected(room.membership(BOB, BOB, "knock"), `${k}.4`);
    });
    it(`v${v}: a knocking user may retract the knock and join once invited`, () => {
      const room = TestRoom.standard(v, "knock");
      room.member(BOB, "knock");
      assertAllowed(room.membership(BOB, BOB, "leave"));
      assertRejected(room.membership(BOB, BOB, "join"), m.joinFinal);
      room.member(BOB, "invite");
      assertAllowed(room.membership(BOB, BOB, "join"));
    });
  }
  it("knock_restricted: a knock join rule from v10 only", () => {
    assertRejected(TestRoom.standard("9", "knock_restricted").membership(BOB, BOB, "knock"), "4.7.1");
    assertAllowed(TestRoom.standard("10", "knock_restricted").membership(BOB, BOB, "knock"));
    assertAllowed(TestRoom.standard("12", "knock_restricted").membership(BOB, BOB, "knock"));
  });
});

describe("checkAuth: restricted joins (v8+)", () => {
  for (const v of ["8", "9", "10", "11", "12"] as const) {
    const m = M[v];
    it(`v${v}: a joined user able to invite may authorise a join (${m.join}.5)`, () => {
      const room = TestRoom.standard(v, "restricted", { users: { [ALICE]: 100, [CAROL]: 0, "@dave:d.example": 0 }, invite: 0 });
      room.member(CAROL, "join");
      assertAllowed(viaSigned(room, BOB, CAROL));
      assertRejected(room.membership(BOB, BOB, "join"), `${m.join}.5.2`);
      assertRejected(viaSigned(room, BOB, "@dave:d.example", "d.example"), `${m.join}.5.2`);
      room.powerLevels({ users: { [ALICE]: 100 }, invite: 10 });
      assertRejected(viaSigned(room, BOB, CAROL), `${m.join}.5.2`);
      room.member(BOB, "invite");
      assertAllowed(room.membership(BOB, BOB, "join"));
    });
    it(`v${v}: the authorising server must have signed the join (${m.r}.2.1)`, () => {
      const room = TestRoom.standard(v, "restricted");
      room.member(CAROL, "join");
      assertRejected(room.membership(BOB, BOB, "join", via(CAROL)), `${m.r}.2.1`);
      assertRejected(room.membership(BOB, BOB, "join", { join_authorised_via_users_server: 5 }), `${m.r}.2.1`);
    });
  }
  it("v10+: knock_restricted rooms accept authorised joins, v9 does not know the rule", () => {
    for (const [v, ok] of [["9", false], ["10", true], ["11", true], ["12", true]] as const) {
      const room = TestRoom.standard(v, "knock_restricted");
      room.member(CAROL, "join");
      const verdict = viaSigned(room, BOB, CAROL);
      if (ok) assertAllowed(verdict);
      else assertRejected(verdict, "4.3.7");
    }
  });
  it("v7: restricted is not a join rule yet, and the via key is ignored", () => {
    const room = TestRoom.standard("7", "restricted");
    room.member(CAROL, "join");
    assertRejected(viaSigned(room, BOB, CAROL), "4.2.6");
    assertRejected(room.membership(BOB, BOB, "join", via(CAROL)), "4.2.6");
  });
});

describe("checkAuth: third-party invites", () => {
  const signed = { mxid: BOB, token: "tok", signatures: { "id.example": { "ed25519:0": "sig" } } };
  function room3pid(v: string): TestRoom {
    const room = TestRoom.standard(v, "invite");
    room.put(room.event({
      type: "m.room.third_party_invite", sender: ALICE, state_key: "tok",
      content: { public_key: "k1", public_keys: [{ public_key: "k2" }] },
    }));
    return room;
  }
  const invite = (room: TestRoom, tpi: JsonObject, sender = ALICE) =>
    room.event({ type: "m.room.member", sender, state_key: BOB, content: { membership: "invite", third_party_invite: tpi } });
  for (const v of ["6", "10", "12"] as const) {
    const s = `${M[v].invite}.1`;
    it(`v${v}: needs a verifier that accepts the signature (${s}.8)`, () => {
      const room = room3pid(v);
      const event = invite(room, { display_name: "b", signed });
      assertRejected(room.check(event), `${s}.8`);
      assertRejected(room.check(event, { verifyThirdPartyInvite: () => false }), `${s}.8`);
      let seen: readonly string[] = [];
      const verifyThirdPartyInvite = (_signed: JsonObject, keys: readonly string[]): boolean => {
        seen = keys;
        return true;
      };
      assertAllowed(room.check(event, { verifyThirdPartyInvite }));
      assert.deepEqual(seen, ["k1", "k2"]);
    });
    it(`v${v}: checks the signed block and the invite event (${s}.1–${s}.6)`, () => {
      const room = room3pid(v);
      const yes = { verifyThirdPartyInvite: () => true };
      assertRejected(room.check(invite(room, { display_name: "b" }), yes), `${s}.2`);
      assertRejected(room.check(invite(room, { signed: { mxid: BOB } }), yes), `${s}.3`);
      assertRejected(room.check(invite(room, { signed: { ...signed, mxid: CAROL } }), yes), `${s}.4`);
      assertRejected(room.check(invite(room, { signed: { ...signed, token: "other" } }), yes), `${s}.5`);
      room.member(CAROL, "join");
      assertRejected(room.check(invite(room, { signed }, CAROL), yes), `${s}.6`);
      room.member(BOB, "ban");
      assertRejected(room.check(invite(room, { signed }), yes), `${s}.1`);
    });
  }
});
