// Room v12 creators (MSC4289): the create event's sender and additional_creators outrank every
// power level, are not listed in `users`, and the fold must judge them so.
import assert from "node:assert/strict";
import { parseRoomPowerLevels, roomCreators, userLevel } from "./power-levels.ts";
import { foldTasks } from "./task-fold.ts";
import { buildTaskRoot } from "./task-root.ts";
import { buildTaskUpdate } from "./task-update.ts";
import { buildTasksState, parseTasksState } from "./tasks-state.ts";
import { redactionEvent, rootEvent, updateEvent } from "./test-support.ts";

const CREATOR = "@maire:ville-a.fr";
const CO = "@dgs:ville-b.fr";
const AGENT = "@agent:ville-a.fr";
const create12 = { sender: CREATOR, content: { room_version: "12", additional_creators: [CO, 42, null] } };

describe("protocol: power levels of room v12 creators", () => {
  it("gives the sender and additional_creators of a v12 room infinite power, whatever users says", () => {
    const pl = parseRoomPowerLevels({ users: { [CREATOR]: 10, [AGENT]: 50 }, users_default: 0 }, create12);
    assert.equal(userLevel(pl, CREATOR), Infinity);
    assert.equal(userLevel(pl, CO), Infinity);
    assert.equal(userLevel(pl, AGENT), 50);
    assert.equal(userLevel(pl, "@other:x"), 0);
    assert.deepEqual([...roomCreators(create12)], [CREATOR, CO]);
    assert.equal(roomCreators({ sender: CREATOR, content: { room_version: "org.matrix.hydra.11" } }).has(CREATOR), true);
  });

  it("keeps power levels only for older room versions, a missing create event or junk", () => {
    for (const create of [
      { sender: CREATOR, content: { room_version: "11", additional_creators: [CO] } },
      { sender: CREATOR, content: {} },
      { sender: CREATOR, content: { room_version: 12 } },
      { sender: CREATOR, content: "junk" },
      undefined,
    ]) {
      const pl = parseRoomPowerLevels({ users: { [CREATOR]: 100 } }, create);
      assert.equal(userLevel(pl, CREATOR), 100, JSON.stringify(create));
      assert.equal(userLevel(pl, CO), 0, JSON.stringify(create));
    }
    assert.equal(roomCreators(undefined).size, 0);
  });

  it("lets the fold accept a creator's delete and redaction that need levels nobody is listed with", () => {
    const state = parseTasksState(buildTasksState({ anchor: "$anchor", permissions: { create: 0, delete: 100 } }));
    assert.ok(state.ok);
    const events = [
      rootEvent("$t1", AGENT, 1, buildTaskRoot({ anchor: "$anchor", title: "Tâche" })),
      rootEvent("$t2", AGENT, 2, buildTaskRoot({ anchor: "$anchor", title: "Autre" })),
      updateEvent("$u1", CO, 3, buildTaskUpdate({ root: "$t1", clock: 1, delete: true })),
      updateEvent("$u2", AGENT, 4, buildTaskUpdate({ root: "$t2", clock: 1, set: { title: "Renommée" } })),
      redactionEvent("$r1", CREATOR, 5, "$u2"),
    ];
    const content = { users: { [AGENT]: 0 }, users_default: 0, redact: 50 };
    const withCreators = foldTasks({ events, config: state.value, levels: parseRoomPowerLevels(content, create12) });
    assert.equal(withCreators.tasks.get("$t1")?.deleted, true);
    assert.equal(withCreators.tasks.get("$t2")?.title, "Autre", "the creator's redaction of $u2 counts");
    // The same room read as before v12: the co-creator is an ordinary user at level 0.
    const without = foldTasks({ events, config: state.value, levels: parseRoomPowerLevels(content) });
    assert.equal(without.tasks.get("$t1")?.deleted, false);
    assert.equal(without.tasks.get("$t2")?.title, "Renommée");
    assert.deepEqual(without.skipped.map((s) => s.eventId), ["$u1"]);
  });
});
