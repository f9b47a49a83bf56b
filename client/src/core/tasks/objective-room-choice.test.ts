import assert from "node:assert/strict";
import { defaultObjectiveRoom } from "./objective-room-choice.ts";
import type { ObjectiveRoomChoice } from "./tasks-port.ts";

const room = (roomId: string, access: ObjectiveRoomChoice["access"]): ObjectiveRoomChoice => ({ roomId, name: roomId, access });
const forbidden = { kind: "forbidden", action: "setup", needed: 50, mine: 0 } as const;

describe("the room the new objective form picks first", () => {
  it("is the room already holding the objectives, even when another sorts first (the demo's dossier before the working group)", () => {
    assert.equal(defaultObjectiveRoom([room("!convention", { kind: "setup" }), room("!groupe", { kind: "ready" })]), "!groupe");
  });
  it("else the first room the agent may set a list up in; never a forbidden one; none at all: empty", () => {
    assert.equal(defaultObjectiveRoom([room("!a", forbidden), room("!b", { kind: "setup" }), room("!c", { kind: "setup" })]), "!b");
    assert.equal(defaultObjectiveRoom([room("!a", forbidden)]), "");
    assert.equal(defaultObjectiveRoom([]), "");
  });
});
