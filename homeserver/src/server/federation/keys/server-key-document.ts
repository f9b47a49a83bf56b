// Server key documents (GET /_matrix/key/v2/server): building ours, and checking another server's.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#publishing-keys
import type { OldVerifyKey } from "../../../config/config-types.ts";
import { decodeBase64 } from "../../../spec/base64.ts";
import { publicKeyBase64, signJson, verifyJsonSignature, type SigningKey } from "../../../room/signing.ts";

const DAY = 24 * 3600_000;
/** How long others may cache our keys. A day, so a rotation or compromise is picked up soon. */
export const OUR_KEYS_VALIDITY_MS = DAY;
/** "Servers MUST use the lesser of this field and 7 days into the future." */
export const MAX_KEY_VALIDITY_MS = 7 * DAY;

const KEY_ID = /^ed25519:[a-zA-Z0-9_]+$/;

export interface OurKeys {
  serverName: string;
  /** Signs requests, events and this document. */
  current: SigningKey;
  /** Keys we signed with before (federation.old_verify_keys). */
  old: readonly OldVerifyKey[];
}

export type JsonRecord = Record<string, unknown>;

/** Our key document, signed with the current key, valid for `validityMs` from `now`. */
export function buildServerKeyDocument(ours: OurKeys, now: number, validityMs = OUR_KEYS_VALIDITY_MS): JsonRecord {
  const old: JsonRecord = {};
  for (const k of ours.old) {
    if (k.keyId !== ours.current.keyId) old[k.keyId] = { key: k.key, expired_ts: k.expiredTs };
  }
  const doc = {
    server_name: ours.serverName,
    verify_keys: { [ours.current.keyId]: { key: publicKeyBase64(ours.current) } },
    old_verify_keys: old,
    valid_until_ts: now + validityMs,
  };
  return signJson(doc, ours.serverName, ours.current);
}

/** A verified key document of another server. */
export interface ServerKeys {
  serverName: string;
  /** As published, before the 7-day cap (see effectiveValidUntil). */
  validUntilTs: number;
  verifyKeys: Map<string, Uint8Array>;
  oldVerifyKeys: Map<string, { key: Uint8Array; expiredTs: number }>;
  /** The document with only the server's own signatures (what a notary serves again). */
  document: JsonRecord;
}

/** The time up to which keys from a response fetched at `fetchedTs` may be used. */
export const effectiveValidUntil = (validUntilTs: number, fetchedTs: number): number =>
  Math.min(validUntilTs, fetchedTs + MAX_KEY_VALIDITY_MS);

const isRecord = (v: unknown): v is JsonRecord => typeof v === "object" && v !== null && !Array.isArray(v);

function decodeKey(v: unknown): Uint8Array | undefined {
  if (!isRecord(v) || typeof v["key"] !== "string") return undefined;
  try {
    const key = decodeBase64(v["key"]);
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** ed25519 keys of a verify_keys / old_verify_keys object; other algorithms are skipped. */
function keysOf(v: unknown, old: boolean): Map<string, { key: Uint8Array; expiredTs: number }> | string {
  const out = new Map<string, { key: Uint8Array; expiredTs: number }>();
  if (v === undefined && old) return out;
  if (!isRecord(v)) return `${old ? "old_verify_keys" : "verify_keys"} is not an object`;
  for (const [keyId, entry] of Object.entries(v)) {
    if (!keyId.startsWith("ed25519:")) continue;
    const key = decodeKey(entry);
    if (!KEY_ID.test(keyId) || key === undefined) return `bad key ${keyId}`;
    const expiredTs = old && isRecord(entry) ? entry["expired_ts"] : 0;
    if (typeof expiredTs !== "number" || !Number.isSafeInteger(expiredTs)) return `bad expired_ts of ${keyId}`;
    out.set(keyId, { key, expiredTs });
  }
  return out;
}

/**
 * Checks a key document claimed to be `serverName`'s: shape, server_name, and its signature by
 * its own verify_keys (at least one, and every signature by a listed key must be valid).
 * Returns the keys, or why the document is refused.
 */
export function parseServerKeys(json: unknown, serverName: string): ServerKeys | string {
  if (!isRecord(json)) return "not a JSON object";
  if (json["server_name"] !== serverName) return `server_name is ${JSON.stringify(json["server_name"])}, expected ${serverName}`;
  const validUntilTs = json["valid_until_ts"];
  if (typeof validUntilTs !== "number" || !Number.isSafeInteger(validUntilTs)) return "valid_until_ts is not an integer";
  const verify = keysOf(json["verify_keys"], false);
  if (typeof verify === "string") return verify;
  const old = keysOf(json["old_verify_keys"], true);
  if (typeof old === "string") return old;
  const sigs = isRecord(json["signatures"]) ? json["signatures"][serverName] : undefined;
  if (!isRecord(sigs)) return `not signed by ${serverName}`;
  let verified = 0;
  for (const keyId of Object.keys(sigs)) {
    const key = verify.get(keyId)?.key;
    if (key === undefined) continue;
    if (!verifyJsonSignature(json, serverName, keyId, key)) return `bad signature by ${keyId}`;
    verified++;
  }
  if (verified === 0) return `not signed by any of its verify_keys`;
  return {
    serverName, validUntilTs,
    verifyKeys: new Map([...verify].map(([id, k]) => [id, k.key])),
    oldVerifyKeys: old,
    document: { ...json, signatures: { [serverName]: sigs } },
  };
}
