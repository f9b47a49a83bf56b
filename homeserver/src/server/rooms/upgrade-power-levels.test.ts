import assert from "node:assert/strict";
import { getRoomVersion, type RoomVersion } from "../../room/room-versions.ts";
import { lockedPowerLevels, upgradedPowerLevels } from "./upgrade-power-levels.ts";

const v = (id: string): RoomVersion => {
  const version = getRoomVersion(id);
  if (!version) throw new Error(id);
  return version;
};
const none = new Set<string>();

describe("upgradedPowerLevels", () => {
  it("drops the new room's creators from users (v11 → v12)", () => {
    const content = { users: { "@alice:a": 100, "@bob:a": 50 }, events: { "m.room.tombstone": 100 }, ban: 50 };
    const out = upgradedPowerLevels({ content, oldVersion: v("11"), newVersion: v("12"), oldCreators: none, newCreators: new Set(["@alice:a"]) });
    assert.deepEqual(out, { users: { "@bob:a": 50 }, events: { "m.room.tombstone": 100 }, ban: 50 });
  });

  it("gives former creators 100 and removes additional creators (v12 → v12)", () => {
    const content = { users: { "@bob:a": 50, "@carol:a": 20 }, state_default: 50 };
    const out = upgradedPowerLevels({
      content, oldVersion: v("12"), newVersion: v("12"), oldCreators: new Set(["@alice:a"]), newCreators: new Set(["@carol:a", "@bob:a"]),
    });
    assert.deepEqual(out, { users: { "@alice:a": 100 }, state_default: 50 });
  });

  it("turns the string levels of old versions into integers and keeps unknown keys", () => {
    const content = { users: { "@bob:a": "50" }, users_default: " 0 ", kick: "+75", events: { "m.room.name": "50" }, notifications: { room: "20" }, "org.example": true };
    const out = upgradedPowerLevels({ content, oldVersion: v("6"), newVersion: v("11"), oldCreators: none, newCreators: none });
    assert.deepEqual(out, { users: { "@bob:a": 50 }, users_default: 0, kick: 75, events: { "m.room.name": 50 }, notifications: { room: 20 }, "org.example": true });
  });
});

describe("lockedPowerLevels", () => {
  it("raises events_default and invite to max(50, users_default + 1)", () => {
    assert.deepEqual(lockedPowerLevels({ users_default: 0, invite: 0 }, v("11")), { users_default: 0, invite: 50, events_default: 50 });
    assert.deepEqual(lockedPowerLevels({ users_default: 60 }, v("11")), { users_default: 60, events_default: 61, invite: 61 });
  });

  it("never lowers a stricter level, and says when nothing changes", () => {
    assert.deepEqual(lockedPowerLevels({ events_default: 80, invite: 0 }, v("11")), { events_default: 80, invite: 50 });
    assert.equal(lockedPowerLevels({ events_default: 50, invite: 100 }, v("11")), undefined);
  });
});
