import { stateKeyOf } from "../pdu.ts";
import type { RoomEvent } from "../pdu.ts";
import { checkAuthEventsShape } from "./check-auth.ts";
import { ALICE, ALL_VERSIONS, assertAllowed, assertRejected, BOB, TestRoom } from "./auth-test-room.ts";

function stateOf(room: TestRoom, type: string, key = ""): RoomEvent {
  const e = room.state.get(stateKeyOf(type, key));
  if (e === undefined) throw new Error(`no ${type} in the test room`);
  return e;
}

/** A message from Alice with the auth events the selection algorithm picks. */
function message(room: TestRoom, authEvents: RoomEvent[]): RoomEvent {
  return room.event({ type: "m.room.message", sender: ALICE, auth_events: authEvents.map((e) => e.eventId) });
}

function properAuth(room: TestRoom): RoomEvent[] {
  const picked = [stateOf(room, "m.room.power_levels"), stateOf(room, "m.room.member", ALICE)];
  return room.version.roomIdFromCreate ? picked : [room.create, ...picked];
}

describe("checkAuthEventsShape (rule 2, v12: 3)", () => {
  for (const v of ALL_VERSIONS) {
    const r = v === "12" ? "3" : "2";
    it(`v${v}: accepts the selected auth events`, () => {
      const room = TestRoom.standard(v);
      const auth = properAuth(room);
      assertAllowed(checkAuthEventsShape(message(room, auth), auth, room.version));
    });
    it(`v${v}: rejects two auth events for one (type, state_key) (${r}.1)`, () => {
      const room = TestRoom.standard(v);
      const pl = stateOf(room, "m.room.power_levels");
      const pl2 = room.event({ type: "m.room.power_levels", sender: ALICE, state_key: "", content: {} });
      const auth = [...properAuth(room), pl2];
      assertRejected(checkAuthEventsShape(message(room, auth), auth, room.version), `${r}.1`);
      const twice = [...properAuth(room), pl];
      assertRejected(checkAuthEventsShape(message(room, twice), properAuth(room), room.version), `${r}.1`);
    });
    it(`v${v}: rejects auth events the selection algorithm does not pick (${r}.2)`, () => {
      const room = TestRoom.standard(v);
      const auth = [...properAuth(room), stateOf(room, "m.room.join_rules")];
      assertRejected(checkAuthEventsShape(message(room, auth), auth, room.version), `${r}.2`);
      const bobMember = room.member(BOB, "join");
      const withBob = [...properAuth(room), bobMember];
      assertRejected(checkAuthEventsShape(message(room, withBob), withBob, room.version), `${r}.2`);
      const notState = [...properAuth(room), room.event({ type: "m.room.message", sender: ALICE })];
      assertRejected(checkAuthEventsShape(message(room, notState), notState, room.version), `${r}.2`);
    });
    it(`v${v}: rejects auth events from another room (${r}.5)`, () => {
      const room = TestRoom.standard(v);
      const [first, ...rest] = properAuth(room).reverse();
      if (first === undefined) throw new Error("no auth events");
      const foreign = { ...first, pdu: { ...first.pdu, room_id: "!other:b.example" } };
      const auth = [foreign, ...rest];
      assertRejected(checkAuthEventsShape(message(room, auth), auth, room.version), `${r}.5`);
    });
  }
  for (const v of ["6", "9", "11"]) {
    it(`v${v}: rejects auth events without the m.room.create event (2.4)`, () => {
      const room = TestRoom.standard(v);
      const auth = properAuth(room).filter((e) => e.pdu.type !== "m.room.create");
      assertRejected(checkAuthEventsShape(message(room, auth), auth, room.version), "2.4");
    });
  }
  it("v12: the m.room.create event must not be among the auth events (3.2)", () => {
    const room = TestRoom.standard("12");
    const auth = [room.create, ...properAuth(room)];
    assertRejected(checkAuthEventsShape(message(room, auth), auth, room.version), "3.2");
  });
  it("v9: a restricted join may cite the authorising user's membership, v7 may not", () => {
    for (const [v, allowed] of [["9", true], ["7", false]] as const) {
      const room = TestRoom.standard(v, "restricted");
      const carol = room.member("@carol:c.example", "join");
      const join = room.event({
        type: "m.room.member", sender: BOB, state_key: BOB,
        content: { membership: "join", join_authorised_via_users_server: "@carol:c.example" },
      });
      const auth = [room.create, stateOf(room, "m.room.power_levels"), stateOf(room, "m.room.join_rules"), carol];
      const verdict = checkAuthEventsShape(join, auth, room.version);
      if (allowed) assertAllowed(verdict);
      else assertRejected(verdict, "2.2");
    }
  });
  it("create events are settled by rule 1 and never reach rule 2", () => {
    const room = new TestRoom("10");
    assertAllowed(checkAuthEventsShape(room.create, [], room.version));
  });
});
