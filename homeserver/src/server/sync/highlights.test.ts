import assert from "node:assert/strict";
import type { JsonObject } from "../../room/pdu.ts";
import { countHighlights, mentionsUser } from "./highlights.ts";

const alice = { userId: "@alice:test.local", displayname: "Alice Martin" };
const msg = (content: JsonObject): boolean => mentionsUser("m.room.message", content, alice);

describe("mentionsUser", () => {
  it("follows m.mentions when present, and ignores the body then", () => {
    assert.equal(msg({ body: "ping", "m.mentions": { user_ids: ["@alice:test.local"] } }), true);
    assert.equal(msg({ body: "ping", "m.mentions": { room: true } }), true);
    assert.equal(msg({ body: "Alice Martin alice @room", "m.mentions": {} }), false);
    assert.equal(msg({ body: "alice", "m.mentions": { user_ids: ["@bob:test.local"], room: false } }), false);
    assert.equal(msg({ body: "alice", "m.mentions": "nonsense" }), false);
  });

  it("without m.mentions, matches the display name, the localpart and @room at word boundaries, ignoring case", () => {
    assert.equal(msg({ body: "merci alice !" }), true);
    assert.equal(msg({ body: "ALICE: on y va" }), true);
    assert.equal(msg({ body: "bonjour alice martin" }), true);
    assert.equal(msg({ body: "@room réunion à 14h" }), true);
    assert.equal(msg({ body: "malice" }), false);
    assert.equal(msg({ body: "alice_b" }), false);
    assert.equal(msg({ body: "x@room" }), false);
    assert.equal(msg({ body: 42 }), false);
  });

  it("escapes the display name and never reads encrypted content", () => {
    const odd = { userId: "@u:test.local", displayname: "A.B (maire)" };
    assert.equal(mentionsUser("m.room.message", { body: "merci A.B (maire)" }, odd), true);
    assert.equal(mentionsUser("m.room.message", { body: "merci AxB (maire)" }, odd), false);
    assert.equal(mentionsUser("m.room.encrypted", { body: "alice", "m.mentions": { room: true } }, alice), false);
  });

  it("counts", () => {
    const events = [{ type: "m.room.message", content: { body: "alice" } }, { type: "m.room.message", content: { body: "hello" } }];
    assert.equal(countHighlights(events, alice), 1);
  });
});
