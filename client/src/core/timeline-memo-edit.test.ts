import { strict as assert } from "node:assert";
import { buildTimeline, TimelineMemo } from "./timeline-model.ts";
import type { RawEvent } from "./raw-event.ts";

describe("client timeline memo and encrypted edits", () => {
  it("refolds a message when its edit, known first by its clear relation, is decrypted", () => {
    const original: RawEvent = { eventId: "$a", type: "m.room.message", sender: "@alice:a", ts: 1, content: { msgtype: "m.text", body: "réunion jeudi" } };
    const relates = { rel_type: "m.replace", event_id: "$a" };
    const encrypted: RawEvent = { eventId: "$e", type: "m.room.encrypted", sender: "@alice:a", ts: 2, content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "x", "m.relates_to": relates } };
    const decrypted: RawEvent = { ...encrypted, type: "m.room.message", content: { msgtype: "m.text", body: "* réunion vendredi", "m.new_content": { msgtype: "m.text", body: "réunion vendredi" }, "m.relates_to": relates } };
    const memo = new TimelineMemo();
    const body = (events: RawEvent[]): unknown => buildTimeline(events, "@bob:b", undefined, memo).flatMap((i) => (i.kind === "message" ? [i.body] : []));
    assert.deepEqual(body([original, encrypted]), ["réunion jeudi"]);
    assert.deepEqual(body([original, decrypted]), ["réunion vendredi"]);
  });
});
