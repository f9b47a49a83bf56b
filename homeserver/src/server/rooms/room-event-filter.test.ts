import assert from "node:assert/strict";
import type { Pdu } from "../../room/pdu.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { matchesRoomEventFilter, parseRoomEventFilter, parseRoomEventFilterParam, typeMatches } from "./room-event-filter.ts";

const pdu = (type: string, sender: string, content: Pdu["content"] = {}): Pdu => ({
  auth_events: [], content, depth: 1, hashes: { sha256: "" }, origin_server_ts: 0, prev_events: [], sender, signatures: {}, type, room_id: "!r:x",
});

describe("RoomEventFilter", () => {
  it("matches '*' as any sequence in types", () => {
    assert.ok(typeMatches("m.room.*", "m.room.message"));
    assert.ok(typeMatches("*", "anything"));
    assert.ok(!typeMatches("m.room.*", "m.reaction"));
    assert.ok(!typeMatches("m.room.message", "m.room.messages"));
    assert.ok(!typeMatches("m.r.om", "m.room"), "dots are literal");
  });

  it("lets not_types and not_senders win over the include lists", () => {
    const f = parseRoomEventFilter({ types: ["m.room.*"], not_types: ["m.room.member"], senders: ["@a:x", "@b:x"], not_senders: ["@b:x"] });
    assert.ok(matchesRoomEventFilter(f, pdu("m.room.message", "@a:x"), "!r:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("m.room.member", "@a:x"), "!r:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("m.room.message", "@b:x"), "!r:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("m.reaction", "@a:x"), "!r:x"));
  });

  it("filters on contains_url and relation types", () => {
    const withUrl = parseRoomEventFilter({ contains_url: true });
    assert.ok(matchesRoomEventFilter(withUrl, pdu("m.room.message", "@a:x", { url: "mxc://x/y" }), "!r:x"));
    assert.ok(!matchesRoomEventFilter(withUrl, pdu("m.room.message", "@a:x", {}), "!r:x"));
    const noThreads = parseRoomEventFilter({ "org.matrix.msc3874.not_rel_types": ["m.thread"] });
    assert.ok(!matchesRoomEventFilter(noThreads, pdu("m.room.message", "@a:x", { "m.relates_to": { rel_type: "m.thread", event_id: "$p" } }), "!r:x"));
    assert.ok(matchesRoomEventFilter(noThreads, pdu("m.room.message", "@a:x"), "!r:x"));
  });

  it("filters rooms", () => {
    const f = parseRoomEventFilter({ rooms: ["!r:x", "!s:x"], not_rooms: ["!s:x"] });
    assert.ok(matchesRoomEventFilter(f, pdu("m.room.message", "@a:x"), "!r:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("m.room.message", "@a:x"), "!s:x"));
    assert.ok(!matchesRoomEventFilter(f, pdu("m.room.message", "@a:x"), "!t:x"));
  });

  it("rejects malformed filters with M_INVALID_PARAM", () => {
    const invalid = (e: unknown): boolean => e instanceof MatrixError && e.errcode === "M_INVALID_PARAM";
    assert.throws(() => parseRoomEventFilterParam("{not json"), invalid);
    assert.throws(() => parseRoomEventFilterParam("[]"), invalid);
    assert.throws(() => parseRoomEventFilter({ types: "m.room.message" }), invalid);
    assert.throws(() => parseRoomEventFilter({ limit: -1 }), invalid);
    assert.throws(() => parseRoomEventFilter({ lazy_load_members: "yes" }), invalid);
    assert.equal(parseRoomEventFilterParam(null).types, undefined);
    assert.equal(parseRoomEventFilterParam('{"lazy_load_members":true}').lazyLoadMembers, true);
  });
});
