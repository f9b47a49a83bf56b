import assert from "node:assert/strict";
import type { Pdu } from "../../room/pdu.ts";
import { getRoomVersion } from "../../room/room-versions.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { clientEvent } from "./client-event.ts";
import { clientEventText } from "./client-event-text.ts";

const version = getRoomVersion("11") ?? assert.fail("room version 11");

/** A row as the event store reads it: stored text, columns and the PDU. */
function stored(eventId: string, pdu: Pdu, redactedBy?: string): StoredEventRow {
  const json = JSON.stringify(pdu);
  return {
    stream: 1, stateGroup: 1, redactedBy, outlier: false, rejected: undefined, softFailed: false,
    event: { eventId, pdu: JSON.parse(json) as Pdu }, json,
    columns: { roomId: pdu.room_id ?? "", type: pdu.type, sender: pdu.sender, stateKey: pdu.state_key, originServerTs: pdu.origin_server_ts },
  };
}

const base = { room_id: "!r:x", sender: "@a:x", origin_server_ts: 1000, depth: 3, prev_events: [], auth_events: [], hashes: { sha256: "h" }, signatures: {}, unsigned: { age_ts: 5 } };
const pdus: [string, Pdu, string?][] = [
  ["$m", { ...base, type: "m.room.message", content: { body: "é \"q\" \\ \u2028 😀", n: [1, { b: null }], unsigned: {} } } as Pdu],
  ["$s", { ...base, type: "m.room.member", state_key: "@b:x", content: { membership: "join", displayname: "B" } } as Pdu],
  ["$red", { ...base, type: "m.room.redaction", content: { redacts: "$m" }, redacts: "$m" } as Pdu],
  ["$gone", { ...base, type: "m.room.message", content: { body: "secret" } } as Pdu, "$red"],
  ["$odd", { ...base, type: "m.room.message", content: {}, redacts: "$x" } as Pdu],
];

describe("clientEventText", () => {
  for (const [id, pdu, redactedBy] of pdus) {
    it(`writes the same JSON as clientEvent (${id}), with and without transaction id and bundle`, () => {
      const row = stored(id, pdu, redactedBy);
      for (const txn of [undefined, "t\"1"]) {
        const opts = { now: 5000, version, ...(txn === undefined ? {} : { transactionId: txn }) };
        const expected = clientEvent(row, { ...opts, withRoomId: true });
        assert.deepEqual(JSON.parse(clientEventText(row, opts)), expected);
        const bundle = { "m.reference": { chunk: [{ event_id: "$c" }] } };
        (expected["unsigned"] as Record<string, unknown>)["m.relations"] = bundle;
        assert.deepEqual(JSON.parse(clientEventText(row, opts, JSON.stringify(bundle))), expected);
      }
    });
  }

  it("splices the stored content text as it is", () => {
    const row = stored("$m", pdus[0]?.[1] as Pdu);
    assert.ok(clientEventText(row, { now: 5000, version }).includes(JSON.stringify((pdus[0]?.[1] as Pdu).content)));
  });
});
