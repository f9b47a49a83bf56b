// Issue 9, finding 11: a remote PDU with NUL in its type or state key can never be stored on
// PostgreSQL, so it is refused as "not a valid event" before signatures, auth or storage.
import assert from "node:assert/strict";
import { getRoomVersion, type RoomVersion } from "./room-versions.ts";
import { validatePdu } from "./validate-pdu.ts";

const v11 = getRoomVersion("11") as RoomVersion;
const EID = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";
const pdu = (extra: Record<string, unknown>): Record<string, unknown> => ({
  room_id: "!abc:mairie.fr", sender: "@agent:mairie.fr", type: "m.room.message", content: { body: "a\u0000b" },
  origin_server_ts: 1700000000000, depth: 5, prev_events: [EID], auth_events: [EID], hashes: { sha256: "x" }, signatures: {}, ...extra,
});

describe("validatePdu and NUL", () => {
  it("refuses NUL in type or state_key, accepts it inside content", () => {
    assert.equal(validatePdu(pdu({}), v11).ok, true, "NUL in content is valid JSON and is stored escaped");
    for (const extra of [{ type: "m.a\u0000b" }, { type: "m.room.topic", state_key: "\u0000" }]) {
      const r = validatePdu(pdu(extra), v11);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, /contains NUL/);
    }
  });
});
