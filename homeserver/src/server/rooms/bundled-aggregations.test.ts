import assert from "node:assert/strict";
import type { JsonObject, Pdu } from "../../room/pdu.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { latestEdit } from "./bundled-aggregations.ts";

const pdu = (sender: string, ts: number, content: JsonObject, extra: Partial<Pdu> = {}): Pdu => ({
  auth_events: [], content, depth: 1, hashes: { sha256: "" }, origin_server_ts: ts, prev_events: [], sender, signatures: {}, type: "m.room.message", ...extra,
});
const row = (eventId: string, p: Pdu, redactedBy?: string): StoredEventRow => ({ stream: 1, stateGroup: 1, redactedBy, outlier: false, rejected: undefined, softFailed: false, event: { eventId, pdu: p } });
const edit = (ts: number): JsonObject => ({ body: `* v${ts}`, "m.new_content": { body: `v${ts}` }, "m.relates_to": { rel_type: "m.replace", event_id: "$orig" } });

describe("latestEdit (m.replace aggregation)", () => {
  const original = pdu("@a:x", 1, { body: "v0" });

  it("picks the most recent valid edit, ties broken by the larger event id", () => {
    const e1 = row("$b", pdu("@a:x", 5, edit(5)));
    const e2 = row("$c", pdu("@a:x", 5, edit(5)));
    const e3 = row("$a", pdu("@a:x", 3, edit(3)));
    assert.equal(latestEdit(original, [e1, e2, e3])?.event.eventId, "$c");
  });

  it("ignores edits by another sender, of another type, without m.new_content, or redacted", () => {
    const other = row("$1", pdu("@b:x", 9, edit(9)));
    const wrongType = row("$2", pdu("@a:x", 9, edit(9), { type: "m.sticker" }));
    const noNew = row("$3", pdu("@a:x", 9, { body: "x", "m.relates_to": { rel_type: "m.replace", event_id: "$orig" } }));
    const redacted = row("$4", pdu("@a:x", 9, edit(9)), "$redaction");
    const valid = row("$5", pdu("@a:x", 2, edit(2)));
    assert.equal(latestEdit(original, [other, wrongType, noNew, redacted, valid])?.event.eventId, "$5");
  });

  it("does not bundle edits of state events or of edits", () => {
    const e = row("$e", pdu("@a:x", 5, edit(5)));
    assert.equal(latestEdit(pdu("@a:x", 1, {}, { state_key: "" }), [e]), undefined);
    assert.equal(latestEdit(pdu("@a:x", 1, edit(1)), [e]), undefined);
  });
});
