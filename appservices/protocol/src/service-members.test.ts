import assert from "node:assert/strict";
import { declaredServiceMembers, isServiceMember } from "./service-members.ts";

describe("service members (bots left out of people pickers)", () => {
  it("recognises Entente's bots and their puppets by their reserved namespace, not agents named alike", () => {
    assert.equal(isServiceMember("@entente-tasks:ville-a.fr"), true);
    assert.equal(isServiceMember("@entente-calendar:agglo-b.fr"), true);
    assert.equal(isServiceMember("@entente-calendar_caldav-anne:agglo-b.fr"), true);
    assert.equal(isServiceMember("@entente-taskforce:ville-a.fr"), false);
    assert.equal(isServiceMember("@anne:ville-a.fr"), false);
    assert.equal(isServiceMember("@entente:ville-a.fr"), false);
  });
  it("takes the bots a room declares in io.element.functional_members, ignoring malformed entries", () => {
    const declared = declaredServiceMembers({ service_members: ["@notif:ville-a.fr", 42, "not-an-id"] });
    assert.deepEqual([...declared], ["@notif:ville-a.fr"]);
    assert.equal(isServiceMember("@notif:ville-a.fr", declared), true);
    assert.equal(isServiceMember("@anne:ville-a.fr", declared), false);
    assert.equal(declaredServiceMembers(undefined).size, 0);
    assert.equal(declaredServiceMembers({ service_members: "@x:y" }).size, 0);
  });
});
