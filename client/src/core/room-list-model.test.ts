import { strict as assert } from "node:assert";
import { buildRoomList, inviterText, pageTitle, type RoomSummary } from "./room-list-model.ts";

const room = (roomId: string, over: Partial<RoomSummary> = {}): RoomSummary => ({ roomId, name: roomId, isSpace: false, membership: "join", isDirect: false, encrypted: true, unread: 0, highlights: 0, lastActivity: 0, children: [], ...over });

describe("client room list model", () => {
  it("groups rooms under their spaces, DMs and others apart, sums unread per space", () => {
    const v = buildRoomList([
      room("!s", { name: "Voirie", isSpace: true, children: ["!r1", "!r2", "!missing"] }),
      room("!r1", { unread: 2, lastActivity: 1 }), room("!r2", { unread: 3, highlights: 1, lastActivity: 5 }),
      room("!dm", { isDirect: true, unread: 1 }), room("!o"), room("!inv", { membership: "invite" }),
    ]);
    assert.deepEqual(v.spaces.map((s) => [s.space.name, s.rooms.map((r) => r.roomId), s.unread, s.highlights]), [["Voirie", ["!r2", "!r1"], 5, 1]]);
    assert.deepEqual(v.directs.map((r) => r.roomId), ["!dm"]);
    assert.deepEqual(v.others.map((r) => r.roomId), ["!o"]);
    assert.deepEqual(v.invites.map((r) => r.roomId), ["!inv"]);
    assert.equal(v.totalUnread, 6);
  });
  it("puts the unread count in the page title", () => {
    assert.equal(pageTitle("Entente", 3), "(3) Entente");
    assert.equal(pageTitle("Entente", 0, "Voirie"), "Voirie · Entente");
  });

  it("says who invited by name and council, the Matrix id when there is no name", () => {
    assert.equal(inviterText("@entente-tasks:ville-a.fr", "Entente Tâches"), "Entente Tâches (ville-a.fr)");
    assert.equal(inviterText("@carol:agglo-b.fr", undefined), "@carol:agglo-b.fr");
    assert.equal(inviterText("@carol:agglo-b.fr", ""), "@carol:agglo-b.fr");
  });
});
