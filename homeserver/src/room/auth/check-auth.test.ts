import assert from "node:assert/strict";
import { stateKeyOf } from "../pdu.ts";
import type { JsonObject } from "../pdu.ts";
import { checkAuth } from "./check-auth.ts";
import { ALICE, ALL_VERSIONS, assertAllowed, assertRejected, BOB, TestRoom, versionOf } from "./auth-test-room.ts";

const pre12 = ALL_VERSIONS.filter((v) => v !== "12");
/** v11 numbering → the version's (v12 inserted rule 2). */
const top = (v: string, n: number): string => String(v === "12" ? n + 1 : n);

describe("checkAuth: m.room.create (rule 1)", () => {
  for (const v of ALL_VERSIONS) {
    it(`v${v}: allows a well-formed create event`, () => {
      const room = new TestRoom(v);
      assertAllowed(room.check(room.create));
    });
    it(`v${v}: rejects a create event with prev_events (1.1)`, () => {
      const room = new TestRoom(v);
      const create = { ...room.create, pdu: { ...room.create.pdu, prev_events: ["$x"] } };
      assertRejected(room.check(create), "1.1");
    });
    it(`v${v}: rejects an unknown content.room_version (1.3)`, () => {
      const room = new TestRoom(v, { room_version: "4242" });
      assertRejected(room.check(room.create), "1.3");
    });
  }
  for (const v of pre12) {
    it(`v${v}: rejects a room_id whose domain is not the sender's (1.2)`, () => {
      const room = new TestRoom(v);
      const create = { ...room.create, pdu: { ...room.create.pdu, room_id: "!room:elsewhere.example" } };
      assertRejected(room.check(create), "1.2");
    });
  }
  for (const v of ["6", "7", "8", "9", "10"]) {
    it(`v${v}: rejects a create event without content.creator (1.4)`, () => {
      const room = new TestRoom(v);
      const content: JsonObject = { ...room.create.pdu.content };
      delete content["creator"];
      assertRejected(room.check({ ...room.create, pdu: { ...room.create.pdu, content } }), "1.4");
    });
  }
  it("v11: content.creator is no longer required", () => {
    const room = new TestRoom("11");
    assert.equal(room.create.pdu.content["creator"], undefined);
    assertAllowed(room.check(room.create));
  });
  it("v12: rejects a create event that has a room_id (1.2)", () => {
    const room = new TestRoom("12");
    assertRejected(room.check({ ...room.create, pdu: { ...room.create.pdu, room_id: "!create" } }), "1.2");
  });
  it("v12: additional_creators must be an array of valid user IDs (1.4)", () => {
    const ok = new TestRoom("12", { additional_creators: [BOB] });
    assertAllowed(ok.check(ok.create));
    for (const bad of [BOB, ["not-a-user"], [BOB, 7], ["@bob:bad host"]]) {
      const room = new TestRoom("12", { additional_creators: bad });
      assertRejected(room.check(room.create), "1.4");
    }
  });
  it("v11: additional_creators is not checked before v12", () => {
    const room = new TestRoom("11", { additional_creators: "junk" });
    assertAllowed(room.check(room.create));
  });
});

describe("checkAuth: the room's create event (rules 2–3, v12: 2–4)", () => {
  for (const v of pre12) {
    it(`v${v}: rejects when the auth state has no m.room.create (2.4)`, () => {
      const room = TestRoom.standard(v);
      room.state.delete(stateKeyOf("m.room.create", ""));
      assertRejected(room.check(room.event({ type: "m.room.message", sender: ALICE })), "2.4");
    });
  }
  it("v12: rejects when room_id is not the create event's id with ! (2)", () => {
    const room = TestRoom.standard("12");
    const message = room.event({ type: "m.room.message", sender: ALICE });
    assertAllowed(room.check(message));
    assertRejected(room.check({ ...message, pdu: { ...message.pdu, room_id: "!other" } }), "2");
    room.state.delete(stateKeyOf("m.room.create", ""));
    assertRejected(room.check(message), "2");
  });
  for (const v of ALL_VERSIONS) {
    it(`v${v}: m.federate false rejects senders from other servers (${top(v, 3)})`, () => {
      const room = new TestRoom(v, { "m.federate": false });
      room.member(ALICE, "join");
      room.joinRules("public");
      assertRejected(room.membership(BOB, BOB, "join"), top(v, 3));
      assertAllowed(room.membership("@alice2:a.example", "@alice2:a.example", "join"));
    });
  }
});

describe("checkAuth: events other than create and member (rules 5–10, v12: 6–11)", () => {
  for (const v of ALL_VERSIONS) {
    it(`v${v}: rejects a sender who is not joined (${top(v, 5)})`, () => {
      const room = TestRoom.standard(v);
      assertRejected(room.check(room.event({ type: "m.room.message", sender: BOB })), top(v, 5));
      room.member(BOB, "invite");
      assertRejected(room.check(room.event({ type: "m.room.message", sender: BOB })), top(v, 5));
      room.member(BOB, "join");
      assertAllowed(room.check(room.event({ type: "m.room.message", sender: BOB })));
    });
    it(`v${v}: enforces events_default (${top(v, 7)})`, () => {
      const room = TestRoom.standard(v, "public", { events_default: 10 });
      room.member(BOB, "join");
      assertRejected(room.check(room.event({ type: "m.room.message", sender: BOB })), top(v, 7));
      assertAllowed(room.check(room.event({ type: "m.room.message", sender: ALICE })));
    });
    it(`v${v}: enforces state_default and the events overrides (${top(v, 7)})`, () => {
      const room = TestRoom.standard(v, "public", { events: { "m.room.topic": 0 } });
      room.member(BOB, "join");
      const name = room.event({ type: "m.room.name", sender: BOB, state_key: "", content: { name: "x" } });
      assertRejected(room.check(name), top(v, 7));
      assertAllowed(room.check(room.event({ type: "m.room.topic", sender: BOB, state_key: "", content: { topic: "t" } })));
    });
    it(`v${v}: rejects a state_key naming another user (${top(v, 8)})`, () => {
      const room = TestRoom.standard(v);
      const forBob = room.event({ type: "org.example.status", sender: ALICE, state_key: BOB });
      assertRejected(room.check(forBob), top(v, 8));
      assertAllowed(room.check(room.event({ type: "org.example.status", sender: ALICE, state_key: ALICE })));
      assertAllowed(room.check(room.event({ type: "org.example.status", sender: ALICE, state_key: "x@y" })));
    });
    it(`v${v}: m.room.third_party_invite needs the invite level (${top(v, 6)}.1)`, () => {
      const room = TestRoom.standard(v, "public", { invite: 50 });
      room.member(BOB, "join");
      const invite = (sender: string) =>
        room.event({ type: "m.room.third_party_invite", sender, state_key: "tok", content: { public_key: "k" } });
      assertRejected(room.check(invite(BOB)), `${top(v, 6)}.1`);
      assertAllowed(room.check(invite(ALICE)));
    });
  }
  it("redactions are only subject to the events levels, not to the redact level", () => {
    const room = TestRoom.standard("11", "public", { redact: 100 });
    room.member(BOB, "join");
    const redaction = room.event({ type: "m.room.redaction", sender: BOB, content: { redacts: "$alice-msg" } });
    assertAllowed(room.check(redaction));
    room.powerLevels({ events: { "m.room.redaction": 50 } });
    assertRejected(room.check(redaction), "7");
  });
  it("without power levels the creator has 100 and others 0, state_default stays 50", () => {
    const room = new TestRoom("9");
    room.member(ALICE, "join");
    room.joinRules("public");
    room.member(BOB, "join");
    assertAllowed(room.check(room.event({ type: "m.room.name", sender: ALICE, state_key: "" })));
    assertRejected(room.check(room.event({ type: "m.room.name", sender: BOB, state_key: "" })), "7");
    assertAllowed(room.check(room.event({ type: "m.room.message", sender: BOB })));
  });
  it("passes the options through: a default call rejects third-party invites", () => {
    const room = TestRoom.standard("10");
    const event = room.event({ type: "m.room.member", sender: ALICE, state_key: BOB, content: { membership: "invite", third_party_invite: {} } });
    const verdict = checkAuth(event, room.state, versionOf("10"));
    assert.equal(verdict.allowed, false);
  });
});
