import assert from "node:assert/strict";
import { canonicalJson } from "../spec/canonical-json.ts";
import { MatrixError } from "../spec/matrix-error.ts";
import { checkLocalPduLimits } from "./local-pdu-limits.ts";
import type { Pdu } from "./pdu.ts";
import { MAX_PDU_BYTES } from "./validate-pdu.ts";

const base = (body: string, extra: Record<string, unknown> = {}): Pdu => ({
  auth_events: ["$a"], prev_events: ["$b"], depth: 7, origin_server_ts: 1765000000000, room_id: "!r:a.test", sender: "@é:a.test", type: "m.room.message",
  hashes: { sha256: "h" }, signatures: { "a.test": { "ed25519:k": "s" } }, content: { body, msgtype: "m.text", ...extra },
} as unknown as Pdu);

describe("checkLocalPduLimits", () => {
  it("measures the canonical form's bytes (JSON.stringify differs in member order only)", () => {
    for (const body of ["", "débit", "tab\tquote\"back\\slash\u0001\u007f\u2028", "astral 😀 and CJK 会议", "x".repeat(1000)]) {
      const pdu = base(body, { z: [1, -0, { b: null, a: true }], "ä": { "\u00e9": "é" } });
      assert.equal(Buffer.byteLength(JSON.stringify(pdu)), Buffer.byteLength(canonicalJson(pdu)), body);
    }
  });

  it("refuses a PDU one byte over the limit and accepts one at it", () => {
    const overhead = Buffer.byteLength(canonicalJson(base("")));
    assert.doesNotThrow(() => checkLocalPduLimits(base("x".repeat(MAX_PDU_BYTES - overhead))));
    assert.throws(() => checkLocalPduLimits(base("x".repeat(MAX_PDU_BYTES - overhead + 1))), (e: unknown) => e instanceof MatrixError && e.errcode === "M_TOO_LARGE");
  });
});
