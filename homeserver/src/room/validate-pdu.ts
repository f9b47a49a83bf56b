// Format checks on a received PDU before signatures, hashes or auth rules: "is a valid event"
// (step 1 of https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu).
// Event format: https://spec.matrix.org/v1.16/rooms/v11/#event-format (v12: room ids, create event)
// Size limits:  https://spec.matrix.org/v1.16/client-server-api/#size-limits
import { canonicalJson, CanonicalJsonError } from "../spec/canonical-json.ts";
import { isHashEventId, isHashRoomId, parseRoomId, parseUserId } from "../spec/ids.ts";
import type { JsonObject, Pdu } from "./pdu.ts";
import type { RoomVersion } from "./room-versions.ts";

export type PduValidation = { ok: true; pdu: Pdu } | { ok: false; reason: string };

export const MAX_PDU_BYTES = 65536;
export const MAX_PREV_EVENTS = 20;
export const MAX_AUTH_EVENTS = 10;

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A failed check: a one-line reason naming the field, or undefined when the check passed. */
type Problem = string | undefined;

/**
 * Checks that `raw` has the PDU format of `version`: canonical JSON (no floats, integers in
 * the safe range), at most 64 KiB, required fields with the right types and sizes, well-formed
 * ids, the spec's caps on prev_events/auth_events. Does not check hashes, signatures or auth.
 */
export function validatePdu(raw: unknown, version: RoomVersion): PduValidation {
  if (!isObject(raw)) return { ok: false, reason: "PDU is not a JSON object" };
  let encoded: string;
  try {
    encoded = canonicalJson(raw);
  } catch (err) {
    if (!(err instanceof CanonicalJsonError)) throw err;
    return { ok: false, reason: `PDU is not canonical JSON: ${err.message}` };
  }
  if (byteLength(encoded) > MAX_PDU_BYTES) {
    return { ok: false, reason: `PDU is ${byteLength(encoded)} bytes, over the ${MAX_PDU_BYTES}-byte limit` };
  }
  const problem =
    checkScalars(raw) ?? checkObjects(raw) ?? checkRoomId(raw, version) ??
    checkEventRefs(raw, "prev_events", MAX_PREV_EVENTS) ?? checkEventRefs(raw, "auth_events", MAX_AUTH_EVENTS) ??
    checkRedacts(raw, version);
  return problem === undefined ? { ok: true, pdu: raw as Pdu } : { ok: false, reason: problem };
}

function checkScalars(raw: Record<string, unknown>): Problem {
  const { type, state_key: stateKey, sender, depth, origin_server_ts: ts } = raw;
  if (typeof type !== "string") return "type must be a string";
  if (byteLength(type) > 255) return "type exceeds 255 bytes";
  if (stateKey !== undefined && typeof stateKey !== "string") return "state_key must be a string";
  if (typeof stateKey === "string" && byteLength(stateKey) > 255) return "state_key exceeds 255 bytes";
  // PostgreSQL cannot store NUL in TEXT: such an event could never be persisted (issue 9, finding 11)
  if (type.includes("\u0000") || (typeof stateKey === "string" && stateKey.includes("\u0000"))) return "type or state_key contains NUL";
  if (typeof sender !== "string" || parseUserId(sender) === undefined) return "sender must be a valid user id";
  // Canonical JSON already bounds integers by 2^53-1, which is below the v4 limit of 2^63-1.
  if (!Number.isSafeInteger(depth) || (depth as number) < 0) return "depth must be a non-negative integer";
  if (!Number.isSafeInteger(ts)) return "origin_server_ts must be an integer";
  return undefined;
}

function checkObjects(raw: Record<string, unknown>): Problem {
  if (!isObject(raw["content"])) return "content must be an object";
  const hashes = raw["hashes"];
  if (!isObject(hashes) || typeof hashes["sha256"] !== "string") return "hashes.sha256 must be a string";
  const signatures = raw["signatures"];
  if (!isObject(signatures)) return "signatures must be an object";
  for (const [server, byKey] of Object.entries(signatures)) {
    if (!isObject(byKey) || !Object.values(byKey).every((s) => typeof s === "string")) {
      return `signatures.${server} must be an object of strings`;
    }
  }
  if (raw["unsigned"] !== undefined && !isObject(raw["unsigned"])) return "unsigned must be an object";
  return undefined;
}

/** v6–v11: `!opaque:server`; v12: `!` + 43-char hash, and absent on the create event. */
function checkRoomId(raw: Record<string, unknown>, version: RoomVersion): Problem {
  const roomId = raw["room_id"];
  if (version.roomIdFromCreate && raw["type"] === "m.room.create") {
    return roomId === undefined ? undefined : "room_id must be absent on an m.room.create event in this room version";
  }
  if (typeof roomId !== "string") return "room_id must be a string";
  if (version.roomIdFromCreate) {
    return isHashRoomId(roomId) ? undefined : "room_id must be '!' followed by a 43-character URL-safe base64 hash";
  }
  // parseRoomId also enforces the 255-byte limit.
  return parseRoomId(roomId)?.serverName !== undefined ? undefined : "room_id must be a valid room id with a server name";
}

/** Event ids in rooms v4+ are `$` + 43 URL-safe base64 characters. */
function checkEventRefs(raw: Record<string, unknown>, field: "prev_events" | "auth_events", max: number): Problem {
  const ids = raw[field];
  if (!Array.isArray(ids)) return `${field} must be an array`;
  if (ids.length > max) return `${field} has ${ids.length} entries, more than ${max}`;
  const bad = ids.findIndex((id) => typeof id !== "string" || !isHashEventId(id));
  return bad === -1 ? undefined : `${field}[${bad}] is not a valid event id`;
}

/**
 * Rooms v6–v10 carry `redacts` at top level, v11+ inside content. It is checked when present
 * but not required: the v6 redaction algorithm strips top-level `redacts`, so a redacted
 * m.room.redaction we are sent legitimately lacks it (it then redacts nothing).
 */
function checkRedacts(raw: Record<string, unknown>, version: RoomVersion): Problem {
  if (raw["type"] !== "m.room.redaction") return undefined;
  const where = version.redactsInContent ? "content.redacts" : "redacts";
  const redacts = version.redactsInContent ? (raw["content"] as JsonObject)["redacts"] : raw["redacts"];
  if (redacts === undefined) return undefined;
  return typeof redacts === "string" && isHashEventId(redacts) ? undefined : `${where} must be a valid event id`;
}
