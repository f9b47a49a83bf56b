import assert from "node:assert/strict";
import { roomFromHash, roomHash, threadFromHash, threadHash } from "./route.ts";

describe("client routes: a room and a thread in the address", () => {
  const room = "!voirie:ville-a.fr";
  const root = "$Tâche/1+x";

  it("reads back the room and the thread of a thread link; a room link has no thread", () => {
    assert.equal(threadHash(room, root), `#/room/${encodeURIComponent(room)}/thread/${encodeURIComponent(root)}`);
    assert.equal(roomFromHash(threadHash(room, root)), room);
    assert.equal(threadFromHash(threadHash(room, root)), root);
    assert.equal(roomFromHash(roomHash(room)), room);
    assert.equal(threadFromHash(roomHash(room)), undefined);
  });

  it("keeps reading hand-written room links; refuses what does not decode", () => {
    assert.equal(roomFromHash("#/room/!abc:ville-a.fr"), "!abc:ville-a.fr");
    assert.equal(roomFromHash("#/room/%E0%A4%A"), undefined);
    assert.equal(threadFromHash("#/room/!a:b/thread/%E0%A4%A"), undefined);
    assert.equal(roomFromHash("#/tasks"), undefined);
  });
});
