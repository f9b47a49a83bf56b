import { strict as assert } from "node:assert";
import { canBan, canKick, canUnban, roomProfileChange, canSetLevel, joinRuleContent, levelOf, parsePowerLevels, privilegedCreators, roleOf, sortMembers, stateLevel, withUserLevel } from "./room-settings-model.ts";

const PL = { users: { "@admin:a": 100, "@mod:b": 50, "@odd:b": 30, "@bad:b": "x" }, users_default: 0, events: { "m.room.join_rules": 75 }, state_default: 50, invite: 0, ban: 50 };

describe("client room settings model", () => {
  it("reads roles from power levels with the spec's defaults, ignoring malformed entries", () => {
    const pl = parsePowerLevels(PL);
    assert.deepEqual(["@admin:a", "@mod:b", "@odd:b", "@bad:b", "@new:c"].map((u) => roleOf(levelOf(pl, u))), ["admin", "moderator", "custom", "member", "member"]);
    assert.equal(stateLevel(pl, "m.room.join_rules"), 75);
    assert.equal(stateLevel(pl, "m.room.topic"), 50, "state_default");
    const empty = parsePowerLevels(undefined);
    assert.deepEqual([empty.usersDefault, empty.stateDefault, empty.invite], [0, 50, 0]);
  });
  it("allows a role change only below one's own level and up to it", () => {
    const pl = parsePowerLevels(PL);
    assert.equal(canSetLevel(pl, "@admin:a", "@mod:b", 0), true);
    assert.equal(canSetLevel(pl, "@admin:a", "@new:c", 100), true);
    assert.equal(canSetLevel(pl, "@mod:b", "@new:c", 50), true, "a moderator may raise a member to moderator");
    assert.equal(canSetLevel(pl, "@mod:b", "@new:c", 100), false, "not above oneself");
    assert.equal(canSetLevel(pl, "@mod:b", "@admin:a", 0), false, "not someone above");
    assert.equal(canSetLevel(pl, "@new:c", "@odd:b", 0), false, "a member cannot change power levels");
  });
  it("changes only the user's entry in power_levels; back to the default removes it", () => {
    const up = withUserLevel(PL, "@new:c", 50);
    assert.deepEqual(up["users"], { ...PL.users, "@new:c": 50 });
    assert.equal(up["ban"], 50, "other fields kept as sent");
    assert.equal(Object.hasOwn(withUserLevel(PL, "@mod:b", 0)["users"] as object, "@mod:b"), false);
    assert.deepEqual(PL.users["@mod:b"], 50, "input not mutated");
  });
  it("makes the creators of a version 12 room owners, above every level and unchangeable", () => {
    const creators = privilegedCreators({ sender: "@c:a", content: { room_version: "12", additional_creators: ["@d:b", 3] } });
    assert.deepEqual([...creators], ["@c:a", "@d:b"]);
    assert.equal(privilegedCreators({ sender: "@c:a", content: { room_version: "10" } }).size, 0, "older versions: power levels only");
    const pl = parsePowerLevels({ users: { "@admin:a": 100 } }, creators);
    assert.equal(roleOf(levelOf(pl, "@c:a")), "owner");
    assert.equal(canSetLevel(pl, "@c:a", "@admin:a", 0), true);
    assert.equal(canSetLevel(pl, "@admin:a", "@c:a", 0), false);
    assert.equal(canSetLevel(pl, "@c:a", "@x:a", Infinity), false);
    const m = (userId: string, powerLevel: number) => ({ userId, name: userId, powerLevel, membership: "join" as const });
    assert.deepEqual(sortMembers([m("@x", 0), m("@c", Infinity), m("@a", 100), m("@d", Infinity)]).map((x) => x.userId), ["@c", "@d", "@a", "@x"]);
  });
  it("allows removing and banning only at the kick/ban level and above the target (spec auth rules)", () => {
    const pl = parsePowerLevels({ ...PL, kick: 50, ban: 100 });
    assert.equal(canKick(pl, "@mod:b", "@new:c"), true);
    assert.equal(canKick(pl, "@mod:b", "@admin:a"), false, "not someone above");
    assert.equal(canKick(pl, "@mod:b", "@mod:b"), false, "not oneself");
    assert.equal(canKick(pl, "@odd:b", "@new:c"), false, "level 30 is below the kick level");
    assert.equal(canBan(pl, "@mod:b", "@new:c"), false, "ban needs 100 here");
    assert.equal(canBan(pl, "@admin:a", "@mod:b"), true);
    assert.equal(canUnban(pl, "@admin:a", "@new:c"), true);
    assert.equal(canUnban(pl, "@mod:b", "@new:c"), false);
    const defaults = parsePowerLevels({ users: { "@m:a": 50 } });
    assert.deepEqual([defaults.kick, defaults.ban], [50, 50], "spec defaults");
    assert.equal(canBan(defaults, "@m:a", "@x:a"), true);
    const creators = parsePowerLevels({ users: { "@admin:a": 100 } }, new Set(["@c:a"]));
    assert.equal(canBan(creators, "@admin:a", "@c:a"), false, "a v12 creator cannot be banned by an admin");
  });
  it("sends only the changed name or topic, trims, refuses a blank name", () => {
    const now = { name: "Voirie", topic: "Travaux" };
    assert.deepEqual(roomProfileChange(now, { name: " Voirie ", topic: "Travaux" }), {});
    assert.deepEqual(roomProfileChange(now, { name: "Voirie 2026", topic: "Travaux" }), { name: "Voirie 2026" });
    assert.deepEqual(roomProfileChange(now, { name: "Voirie", topic: "" }), { topic: "" }, "a topic may be cleared");
    assert.throws(() => roomProfileChange(now, { name: "  ", topic: "x" }), /empty room name/);
  });
  it("builds join rules; 'members of the space' lists the spaces", () => {
    assert.deepEqual(joinRuleContent("invite", []), { join_rule: "invite" });
    assert.deepEqual(joinRuleContent("restricted", ["!s:a"]), { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!s:a" }] });
    assert.throws(() => joinRuleContent("restricted", []));
  });
  it("lists members by role then name, invitations last", () => {
    const m = (userId: string, powerLevel: number, membership: "join" | "invite" = "join") => ({ userId, name: userId.slice(1, 2), powerLevel, membership });
    assert.deepEqual(sortMembers([m("@c", 0), m("@i", 100, "invite"), m("@b", 0), m("@a", 100), m("@m", 50)]).map((x) => x.userId), ["@a", "@m", "@b", "@c", "@i"]);
  });
});
