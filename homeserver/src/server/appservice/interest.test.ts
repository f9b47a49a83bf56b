import assert from "node:assert/strict";
import { RoomFacts, interestedInEvent, interestedInRoom } from "./interest.ts";
import { compileNamespace, type Namespace, type NamespaceOwner } from "./namespaces.ts";

const ns = (regex: string): Namespace => {
  const n = compileNamespace(regex, true);
  assert.ok(typeof n !== "string");
  return n;
};
const owner: NamespaceOwner = {
  senderUserId: "@bot:hs",
  namespaces: { users: [ns("@_b_.*")], aliases: [ns("#_b_.*")], rooms: [ns("!watched")] },
};

function facts(rooms: Record<string, { aliases?: string[]; members?: string[] }>): { facts: RoomFacts; reads: string[] } {
  const reads: string[] = [];
  const source = {
    aliasesOf: async (id: string) => (reads.push(`aliases ${id}`), rooms[id]?.aliases ?? []),
    joinedMembers: async (id: string) => (reads.push(`members ${id}`), rooms[id]?.members ?? []),
  };
  return { facts: new RoomFacts(source), reads };
}

const ev = (roomId: string, sender: string, type = "m.room.message", stateKey?: string) => ({ roomId, sender, type, stateKey });

describe("appservice interest", () => {
  it("follows senders and membership targets of its users", async () => {
    const { facts: f } = facts({});
    assert.ok(await interestedInEvent(owner, ev("!r", "@_b_x:hs"), f, "hs"));
    assert.ok(await interestedInEvent(owner, ev("!r", "@bot:hs"), f, "hs"));
    assert.ok(await interestedInEvent(owner, ev("!r", "@alice:hs", "m.room.member", "@_b_y:hs"), f, "hs"));
    assert.ok(!(await interestedInEvent(owner, ev("!r", "@alice:hs", "m.room.topic", "@_b_y:hs"), f, "hs")));
    assert.ok(!(await interestedInEvent(owner, ev("!r", "@_b_x:remote"), f, "hs")));
  });

  it("follows rooms by id, by alias and by joined member, reading each room once", async () => {
    const { facts: f, reads } = facts({ "!aliased": { aliases: ["#_b_chan:hs"] }, "!joined": { members: ["@alice:hs", "@_b_z:hs"] }, "!plain": { members: ["@alice:hs"] } });
    assert.ok(await interestedInRoom(owner, "!watched:hs", f, "hs"));
    assert.ok(await interestedInEvent(owner, ev("!aliased", "@alice:hs"), f, "hs"));
    assert.ok(await interestedInEvent(owner, ev("!joined", "@alice:hs"), f, "hs"));
    assert.ok(!(await interestedInEvent(owner, ev("!plain", "@alice:hs"), f, "hs")));
    assert.ok(!(await interestedInEvent(owner, ev("!plain", "@bob:hs"), f, "hs")));
    assert.equal(reads.filter((r) => r === "members !plain").length, 1);
  });
});
