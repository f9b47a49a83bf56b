// Size limits on events this server builds, checked before anything is persisted.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#size-limits
//
// Why here and not only in validatePdu (inbound): other servers run validatePdu on what we send
// them. An oversize local event would be rejected by every partner and, being a prev_event of
// everything that follows, would get every later event of the room from this council rejected too.
import { MatrixError } from "../spec/matrix-error.ts";
import type { Pdu } from "./pdu.ts";
import { MAX_PDU_BYTES } from "./validate-pdu.ts";

/** The spec's per-key limit for type, state_key, sender and room_id. */
export const MAX_ID_FIELD_BYTES = 255;

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

/**
 * Throws 400 M_INVALID_PARAM when type, state_key, sender or room_id exceeds 255 bytes, and
 * 413 M_TOO_LARGE when the whole PDU (federation format, signatures included, canonical JSON)
 * exceeds 65,536 bytes. `pdu` must be the finished (hashed and signed) event.
 */
export function checkLocalPduLimits(pdu: Pdu): void {
  const fields: [name: string, value: string | undefined][] = [
    ["type", pdu.type], ["state_key", pdu.state_key], ["sender", pdu.sender], ["room_id", pdu.room_id],
  ];
  for (const [name, value] of fields) {
    if (value !== undefined && byteLength(value) > MAX_ID_FIELD_BYTES) {
      throw new MatrixError("M_INVALID_PARAM", 400, `Event ${name} is ${byteLength(value)} bytes, over the ${MAX_ID_FIELD_BYTES}-byte limit`);
    }
  }
  // The canonical form's length: a finished PDU passed canonical encoding (its content hash and
  // signature), and JSON.stringify writes the same members with the same encodings, in another
  // order only (native: 1.0 vs 3.5 us of CPU for a message PDU, micro-benchmark).
  const size = byteLength(JSON.stringify(pdu));
  if (size > MAX_PDU_BYTES) {
    throw new MatrixError("M_TOO_LARGE", 413, `Event is ${size} bytes, over the ${MAX_PDU_BYTES}-byte limit for an event (signatures included)`);
  }
}
