// Issue 9, finding 11: a relation naming its parent or type with a NUL is not indexed (the event
// itself is stored with its content); otherwise PostgreSQL refused the whole event, including one
// received over federation or in a join's state.
import assert from "node:assert/strict";
import { relationOf } from "./relation.ts";

describe("relationOf and NUL", () => {
  it("does not index a relation whose event_id or rel_type holds NUL", () => {
    assert.deepEqual(relationOf({ content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$e" } } }), { eventId: "$e", relType: "m.annotation" });
    assert.equal(relationOf({ content: { "m.relates_to": { rel_type: "m.x\u0000y", event_id: "$e" } } }), undefined);
    assert.equal(relationOf({ content: { "m.relates_to": { rel_type: "m.thread", event_id: "$e\u0000" } } }), undefined);
  });
});
