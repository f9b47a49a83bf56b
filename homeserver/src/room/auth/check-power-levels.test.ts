import type { JsonObject, RoomEvent } from "../pdu.ts";
import { ALICE, ALL_VERSIONS, assertAllowed, assertRejected, BOB, CAROL, DAVE, TestRoom } from "./auth-test-room.ts";
import type { VersionId } from "./auth-test-room.ts";

// Power level sub-rule numbers per version, written out from the spec pages.
type Steps = { users: string; props: string; evRemoved: string; evAdded: string; usersRemoved: string; usersAdded: string };
const old: Steps = { users: "9.1", props: "9.3", evRemoved: "9.4.1", evAdded: "9.5.1", usersRemoved: "9.6.1", usersAdded: "9.7.1" };
const v10: Steps = { users: "9.3", props: "9.5", evRemoved: "9.6.1", evAdded: "9.7.1", usersRemoved: "9.8.1", usersAdded: "9.9.1" };
const v12: Steps = { users: "10.3", props: "10.6", evRemoved: "10.7.1", evAdded: "10.8.1", usersRemoved: "10.9.1", usersAdded: "10.10.1" };
const P: Record<VersionId, Steps> = { "6": old, "7": old, "8": old, "9": old, "10": v10, "11": v10, "12": v12 };

/** A room where Bob is a joined moderator (50) and Carol a joined user (10). */
function modRoom(v: string, extra: JsonObject = {}): TestRoom {
  const room = TestRoom.standard(v, "public", { users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 10 }, ...extra });
  room.member(BOB, "join");
  room.member(CAROL, "join");
  return room;
}

function plEvent(room: TestRoom, sender: string, content: JsonObject): RoomEvent {
  return room.event({ type: "m.room.power_levels", sender, state_key: "", content });
}

const users = (room: TestRoom, entries: JsonObject): JsonObject => {
  const out: JsonObject = { [ALICE]: 100, [BOB]: 50, [CAROL]: 10, ...entries };
  if (room.version.privilegedCreators) delete out[ALICE];
  return out;
};

describe("checkAuth: m.room.power_levels", () => {
  for (const v of ALL_VERSIONS) {
    const p = P[v];
    it(`v${v}: the first power levels event is allowed whatever it says`, () => {
      const room = new TestRoom(v);
      room.member(ALICE, "join");
      const content: JsonObject = { users: v === "12" ? { [BOB]: 1000 } : { [ALICE]: 100, [BOB]: 1000 }, ban: 500 };
      assertAllowed(room.check(plEvent(room, ALICE, content)));
    });
    it(`v${v}: a moderator may adjust levels up to their own`, () => {
      const room = modRoom(v, { state_default: 50 });
      assertAllowed(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: 50, [DAVE]: 20 }), kick: 40 })));
    });
    it(`v${v}: may not raise a user above their own level (${p.usersAdded})`, () => {
      const room = modRoom(v);
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: 51 }) })), p.usersAdded);
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [BOB]: 75 }) })), p.usersAdded);
    });
    it(`v${v}: may not change a user at or above their own level (${p.usersRemoved})`, () => {
      const room = modRoom(v, { users: { [ALICE]: 100, [BOB]: 50, [CAROL]: 10, [DAVE]: 50 } });
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [DAVE]: 10 }) })), p.usersRemoved);
      const withoutDave = users(room, {});
      assertRejected(room.check(plEvent(room, BOB, { users: withoutDave })), p.usersRemoved);
      assertAllowed(room.check(plEvent(room, BOB, { users: users(room, { [DAVE]: 50, [BOB]: 20 }) })));
    });
    it(`v${v}: top-level levels: current (${p.props}.1) and new (${p.props}.2) must not exceed the sender's`, () => {
      const room = modRoom(v, { ban: 60, kick: 50 });
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, {}), ban: 20, kick: 50 })), `${p.props}.1`);
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, {}), ban: 60, kick: 51 })), `${p.props}.2`);
      assertAllowed(room.check(plEvent(room, BOB, { users: users(room, {}), ban: 60, kick: 30, invite: 50 })));
    });
    it(`v${v}: events entries: changed/removed (${p.evRemoved}) and added (${p.evAdded})`, () => {
      const room = modRoom(v, { events: { "m.room.name": 50, "m.room.tombstone": 100 } });
      const base = { users: users(room, {}) };
      assertRejected(room.check(plEvent(room, BOB, { ...base, events: { "m.room.name": 50 } })), p.evRemoved);
      assertRejected(room.check(plEvent(room, BOB, { ...base, events: { "m.room.name": 50, "m.room.tombstone": 100, "x.y": 60 } })), p.evAdded);
      assertRejected(room.check(plEvent(room, BOB, { ...base, events: { "m.room.name": 50, "m.room.tombstone": 100 }, notifications: { room: 60 } })), p.evAdded);
      assertAllowed(room.check(plEvent(room, BOB, { ...base, events: { "m.room.name": 10, "m.room.tombstone": 100 } })));
    });
    it(`v${v}: users must be valid user IDs (${p.users})`, () => {
      const room = modRoom(v);
      assertRejected(room.check(plEvent(room, BOB, { users: { ...users(room, {}), "not-a-user": 0 } })), p.users);
      assertRejected(room.check(plEvent(room, BOB, { users: [BOB] })), p.users);
    });
    it(`v${v}: the sender must be allowed to send power levels at all`, () => {
      const room = modRoom(v);
      const step = v === "12" ? "8" : "7";
      assertRejected(room.check(plEvent(room, CAROL, { users: users(room, {}) })), step);
    });
  }
  for (const v of ["6", "7", "8", "9"] as const) {
    it(`v${v}: string levels are accepted and compared as integers`, () => {
      const room = modRoom(v, { kick: "40" });
      assertAllowed(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: " +20 " }), kick: "040", ban: "50" })));
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: "60" }) })), P[v].usersAdded);
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: "ten" }) })), "9.1");
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: 2.5 }) })), "9.1");
    });
  }
  for (const v of ["10", "11", "12"] as const) {
    const r = v === "12" ? "10" : "9";
    it(`v${v}: string levels are rejected (${r}.1, ${r}.2, ${r}.3)`, () => {
      const room = modRoom(v);
      const base = { users: users(room, {}) };
      assertRejected(room.check(plEvent(room, BOB, { ...base, kick: "40" })), `${r}.1`);
      assertRejected(room.check(plEvent(room, BOB, { ...base, events_default: 1.5 })), `${r}.1`);
      assertRejected(room.check(plEvent(room, BOB, { ...base, events: { "m.room.name": "50" } })), `${r}.2`);
      assertRejected(room.check(plEvent(room, BOB, { ...base, notifications: 50 })), `${r}.2`);
      assertRejected(room.check(plEvent(room, BOB, { users: users(room, { [CAROL]: "20" }) })), `${r}.3`);
    });
  }
});

describe("checkAuth: room creators", () => {
  it("v10 takes the creator from content.creator, v11 from the sender", () => {
    for (const [v, creator, other] of [["10", BOB, ALICE], ["11", ALICE, BOB]] as const) {
      const room = new TestRoom(v, { creator: BOB });
      const join = (user: string) => room.event({
        type: "m.room.member", sender: user, state_key: user, content: { membership: "join" }, prev_events: ["$create"],
      });
      assertAllowed(room.check(join(creator)));
      assertRejected(room.check(join(other)), "4.3.7");
      room.member(creator, "join");
      room.member(other, "join");
      // Without power levels only the creator has 100.
      assertAllowed(room.check(room.event({ type: "m.room.name", sender: creator, state_key: "" })));
      assertRejected(room.check(room.event({ type: "m.room.name", sender: other, state_key: "" })), "7");
    }
  });
  it("v12: creators may not be listed in users (10.4)", () => {
    const room = new TestRoom("12", { additional_creators: [DAVE] });
    room.member(ALICE, "join");
    assertRejected(room.check(plEvent(room, ALICE, { users: { [ALICE]: 100 } })), "10.4");
    assertRejected(room.check(plEvent(room, ALICE, { users: { [DAVE]: 100 } })), "10.4");
    assertAllowed(room.check(plEvent(room, ALICE, { users: { [BOB]: 100 } })));
  });
  it("v11: listing the creator in users is fine before v12", () => {
    const room = new TestRoom("11", { additional_creators: [DAVE] });
    room.member(ALICE, "join");
    assertAllowed(room.check(plEvent(room, ALICE, { users: { [ALICE]: 100, [DAVE]: 100 } })));
  });
  it("v12: creators have infinite power; additional creators too", () => {
    const room = new TestRoom("12", { additional_creators: [DAVE] });
    room.member(ALICE, "join");
    room.powerLevels({ users: { [BOB]: 9000 }, ban: 9000 });
    room.joinRules("public");
    room.member(BOB, "join");
    room.member(DAVE, "join");
    assertAllowed(room.membership(DAVE, BOB, "ban"));
    assertRejected(room.membership(BOB, ALICE, "ban"), "5.6.3");
    assertRejected(room.membership(BOB, DAVE, "leave"), "5.5.5");
    assertRejected(room.membership(DAVE, ALICE, "ban"), "5.6.3");
    assertAllowed(room.check(plEvent(room, DAVE, { users: { [BOB]: 0, [CAROL]: 1_000_000 }, ban: 1_000_000 })));
  });
  it("v11: additional_creators gives no power before v12", () => {
    const room = new TestRoom("11", { additional_creators: [DAVE] });
    room.member(ALICE, "join");
    room.powerLevels({ users: { [ALICE]: 100 } });
    room.joinRules("public");
    room.member(DAVE, "join");
    room.member(BOB, "join");
    assertRejected(room.membership(DAVE, BOB, "ban"), "4.6.3");
  });
});
