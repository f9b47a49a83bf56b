import assert from "node:assert/strict";
import { objectivesEmptyHint } from "./objectives-empty.ts";
import type { ObjectiveRoomChoice } from "./tasks-port.ts";

const room = (name: string, access: ObjectiveRoomChoice["access"]): ObjectiveRoomChoice => ({ roomId: `!${name}:x`, name, access });

describe("client tasks: the empty objectives dashboard's hint", () => {
  it("says to create the first objective where the agent may, noting when it sets the room's list up", () => {
    assert.deepEqual(objectivesEmptyHint([room("Voirie", { kind: "setup" }), room("Budget", { kind: "forbidden", action: "setup", needed: 50, mine: 0 })]), { kind: "create", setupOnly: true });
    assert.deepEqual(objectivesEmptyHint([room("Voirie", { kind: "setup" }), room("Budget", { kind: "ready" })]), { kind: "create", setupOnly: false });
  });
  it("says whom to ask with the lowest level needed when no room allows it, and to make a room when there is none", () => {
    assert.deepEqual(objectivesEmptyHint([room("Voirie", { kind: "forbidden", action: "setup", needed: 50, mine: 0 }), room("Budget", { kind: "forbidden", action: "create", needed: 20, mine: 0 })]), { kind: "forbidden", needed: 20, mine: 0 });
    assert.deepEqual(objectivesEmptyHint([]), { kind: "no-room" });
  });
});
