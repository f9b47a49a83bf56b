import { strict as assert } from "node:assert";
import { buildRoomList, countUnread, pageTitle, type RoomSummary } from "./room-list-model.ts";

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
  it("counts messages from others after my read marker", () => {
    const evs = [{ eventId: "$1", sender: "@b", type: "m.room.message" }, { eventId: "$2", sender: "@b", type: "m.room.message" }, { eventId: "$3", sender: "@b", type: "m.reaction" }, { eventId: "$4", sender: "@b", type: "m.room.encrypted" }];
    assert.equal(countUnread(evs, "@a", "$1"), 2);
    assert.equal(countUnread([...evs, { eventId: "$5", sender: "@a", type: "m.room.message" }], "@a", "$1"), 0, "my own message reads the room");
    assert.equal(pageTitle("Entente", 3), "(3) Entente");
    assert.equal(pageTitle("Entente", 0, "Voirie"), "Voirie · Entente");
  });
});
