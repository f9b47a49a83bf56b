import assert from "node:assert/strict";
import type { JsonObject, RoomEvent } from "../pdu.ts";
import { isValidUserId, parseLevel, parsePowerLevels, requiredPowerLevel, roomCreators, userPowerLevel } from "./power-levels.ts";
import { ALICE, BOB, CAROL, TestRoom, versionOf } from "./auth-test-room.ts";

const pl = (content: JsonObject): RoomEvent => ({
  eventId: "$pl",
  pdu: {
    type: "m.room.power_levels", state_key: "", sender: ALICE, content, auth_events: [], prev_events: [], depth: 2,
    hashes: { sha256: "" }, origin_server_ts: 0, room_id: "!r:a.example", signatures: {},
  },
});

describe("power levels", () => {
  it("parses the spec defaults", () => {
    const levels = parsePowerLevels({}, versionOf("11"));
    assert.deepEqual(
      [levels.usersDefault, levels.eventsDefault, levels.stateDefault, levels.ban, levels.kick, levels.redact, levels.invite],
      [0, 0, 50, 50, 50, 50, 0],
    );
    assert.equal(levels.notifications.get("room"), 50);
    assert.equal(levels.events.size, 0);
  });
  it("keeps state_default at 50 when the room has no power levels event", () => {
    assert.equal(parsePowerLevels(undefined, versionOf("9")).stateDefault, 50);
  });
  it("reads explicit values, events and notifications", () => {
    const levels = parsePowerLevels({ ban: 70, events: { "m.room.name": 20 }, notifications: { room: 10 }, users_default: 5 }, versionOf("10"));
    assert.equal(levels.ban, 70);
    assert.equal(levels.usersDefault, 5);
    assert.equal(requiredPowerLevel(levels, "m.room.name", true), 20);
    assert.equal(requiredPowerLevel(levels, "m.room.topic", true), 50);
    assert.equal(requiredPowerLevel(levels, "m.room.message", false), 0);
    assert.equal(levels.notifications.get("room"), 10);
  });
  it("coerces integer strings before v10 only", () => {
    const v9 = versionOf("9");
    const v10 = versionOf("10");
    for (const [raw, value] of [["100", 100], ["000100", 100], [" +100 ", 100], ["-5", -5]] as const) {
      assert.equal(parseLevel(raw, v9), value);
      assert.equal(parseLevel(raw, v10), undefined);
    }
    for (const bad of ["1.5", "1e3", "", "+-1", "ten", 1.5, true, null]) assert.equal(parseLevel(bad, v9), undefined);
    assert.equal(parsePowerLevels({ kick: "75", users: { [BOB]: "60" } }, v9).kick, 75);
    assert.equal(parsePowerLevels({ kick: "75" }, v10).kick, 50);
  });
  it("userPowerLevel: users entry, users_default, creator 100 without power levels", () => {
    const v = versionOf("10");
    const room = new TestRoom("10");
    const event = pl({ users: { [BOB]: 42 }, users_default: 3 });
    assert.equal(userPowerLevel(BOB, event, room.create, v), 42);
    assert.equal(userPowerLevel(ALICE, event, room.create, v), 3);
    assert.equal(userPowerLevel(ALICE, undefined, room.create, v), 100);
    assert.equal(userPowerLevel(BOB, undefined, room.create, v), 0);
  });
  it("userPowerLevel: v10 creator is content.creator, v11 the sender", () => {
    const r10 = new TestRoom("10", { creator: BOB });
    const r11 = new TestRoom("11", { creator: BOB });
    assert.equal(userPowerLevel(BOB, undefined, r10.create, r10.version), 100);
    assert.equal(userPowerLevel(ALICE, undefined, r10.create, r10.version), 0);
    assert.equal(userPowerLevel(ALICE, undefined, r11.create, r11.version), 100);
    assert.equal(userPowerLevel(BOB, undefined, r11.create, r11.version), 0);
  });
  it("userPowerLevel: v12 creators and additional_creators are infinite", () => {
    const room = new TestRoom("12", { additional_creators: [CAROL] });
    const event = pl({ users: { [BOB]: 100 }, users_default: 10 });
    assert.equal(userPowerLevel(ALICE, event, room.create, room.version), Infinity);
    assert.equal(userPowerLevel(CAROL, undefined, room.create, room.version), Infinity);
    assert.equal(userPowerLevel(BOB, event, room.create, room.version), 100);
    assert.deepEqual([...roomCreators(room.create, room.version)].sort(), [ALICE, CAROL].sort());
    const r11 = new TestRoom("11", { additional_creators: [CAROL] });
    assert.equal(userPowerLevel(CAROL, undefined, r11.create, r11.version), 0);
    assert.equal(userPowerLevel(ALICE, undefined, r11.create, r11.version), 100);
  });
  it("validates user IDs, accepting historical localparts", () => {
    for (const ok of ["@a:b.example", "@A_b!:b.example:8448", "@:b.example", "@x:1.2.3.4", "@x:[::1]:80"]) {
      assert.ok(isValidUserId(ok), ok);
    }
    for (const bad of ["a:b.example", "@nodomain", "@a:", "@a:bad host", "@a\u0000b:c.example", "@a:b.example:port"]) {
      assert.ok(!isValidUserId(bad), bad);
    }
  });
});
