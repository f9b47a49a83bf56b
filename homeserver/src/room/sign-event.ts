// Turning a draft event into a finished, hashed and signed PDU, and checking such signatures.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#signing-events
import type { JsonObject, JsonValue, Pdu, RoomEvent } from "./pdu.ts";
import { addContentHash, eventIdOfRedactedBytes } from "./hashes.ts";
import { redactEvent, type EventJson } from "./redaction.ts";
import type { RoomVersion } from "./room-versions.ts";
import { signBytes, signedBytes, signJson, verifyJsonSignature, type Signatures, type SigningKey } from "./signing.ts";

/**
 * A PDU before hashing and signing. Prefer it to `Omit<Pdu, "hashes" | "signatures">` (also
 * accepted by finishEvent): Omit over a type with a string index signature silently drops
 * every named property, so that type checks nothing.
 */
export interface PduDraft {
  auth_events: string[];
  content: JsonObject;
  depth: number;
  origin_server_ts: number;
  prev_events: string[];
  /** Absent only on the v12 m.room.create event. */
  room_id?: string;
  sender: string;
  state_key?: string;
  type: string;
  unsigned?: JsonObject;
  /** Top-level `redacts`, rooms v6–v10 only. */
  redacts?: string;
  [extra: string]: JsonValue | undefined;
}

const asSignatures = (v: JsonValue | undefined): Signatures =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Signatures) : {};

/**
 * Hashes, signs and names an event: sets `hashes.sha256` over the full event, signs the
 * REDACTED event (so the signature survives redaction) as `serverName`, copies the signature
 * back onto the full event, and computes the event id from the reference hash. The signature and
 * the reference hash cover the same bytes (the redacted event minus `signatures` and `unsigned`):
 * they are encoded once.
 * Throws `CanonicalJsonError` if the draft holds floats or out-of-range integers.
 */
export function finishEvent(
  draft: PduDraft | Omit<Pdu, "hashes" | "signatures">,
  version: RoomVersion,
  serverName: string,
  key: SigningKey,
): RoomEvent {
  const hashed = addContentHash(draft);
  const bytes = signedBytes(redactEvent(hashed, version));
  const previous = asSignatures(draft["signatures"]);
  const signatures: Signatures = { ...previous, [serverName]: { ...previous[serverName], [key.keyId]: signBytes(bytes, key) } };
  const pdu = { ...hashed, signatures } as Pdu;
  return { eventId: eventIdOfRedactedBytes(bytes), pdu };
}

/** Checks `serverName`'s signature with `keyId` over the redacted form of the event. This
 *  holds whether we were sent the full event or a redacted copy. */
export function verifyEventSignature(
  event: EventJson,
  version: RoomVersion,
  serverName: string,
  keyId: string,
  publicKey: Uint8Array,
): boolean {
  return verifyJsonSignature(redactEvent(event, version), serverName, keyId, publicKey);
}

/** Adds `serverName`'s signature to an already hashed event (invites, restricted joins). */
export function addEventSignature(pdu: Pdu, version: RoomVersion, serverName: string, key: SigningKey): Pdu {
  const ours = signJson(redactEvent(pdu, version), serverName, key).signatures[serverName] ?? {};
  const previous = asSignatures(pdu["signatures"]);
  return { ...pdu, signatures: { ...previous, [serverName]: { ...previous[serverName], ...ours } } };
}
