// Parsing and signature checks of the key objects clients upload: device keys, one-time and
// fallback keys, cross-signing keys. Pure: every failure is a MatrixError naming the bad field.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#device-keys
//       https://spec.matrix.org/v1.16/client-server-api/#key-algorithms
//       https://spec.matrix.org/v1.16/client-server-api/#cross-signing
import { MatrixError, badJson, invalidParam } from "../../spec/matrix-error.ts";
import { canonicalJson } from "../../spec/canonical-json.ts";
import { decodeBase64 } from "../../spec/base64.ts";
import { verifyJsonSignature } from "../../room/signing.ts";
import type { CrossSigningType, KeyJson, OneTimeKey } from "../../storage/e2ee-store.ts";

const MAX_KEY_ID = 255;
const MAX_KEYS_PER_UPLOAD = 1000;

export const invalidSignature = (message: string): MatrixError => new MatrixError("M_INVALID_SIGNATURE", 400, message);

function asObject(v: unknown, field: string): KeyJson {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badJson(`'${field}' must be an object`);
  return v as KeyJson;
}

/** The 32 bytes of an unpadded Base64 ed25519/curve25519 public key, or M_INVALID_PARAM. */
export function publicKeyBytes(v: unknown, field: string): Uint8Array {
  if (typeof v !== "string") throw badJson(`'${field}' must be a string`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(v);
  } catch {
    throw invalidParam(`'${field}' is not unpadded Base64`);
  }
  if (bytes.length !== 32) throw invalidParam(`'${field}' must be a 32-byte key, got ${bytes.length} bytes`);
  return bytes;
}

/** Signed objects must be canonical-JSON encodable (no floats), or no signature can match. */
function requireCanonical(o: KeyJson, field: string): void {
  try {
    canonicalJson(o);
  } catch (err) {
    throw badJson(`'${field}' is not valid canonical JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const stripSignatures = (o: KeyJson): KeyJson => {
  const { signatures: _s, unsigned: _u, ...rest } = o;
  return rest;
};

/** Whether two key objects are the same key once their signatures and unsigned data are set aside. */
export const sameSignedContent = (a: KeyJson, b: KeyJson): boolean => canonicalJson(stripSignatures(a)) === canonicalJson(stripSignatures(b));

export interface ParsedDeviceKeys {
  json: KeyJson;
  /** The device's ed25519 signing key. */
  ed25519: Uint8Array;
}

/**
 * `device_keys` of /keys/upload: for this very user and device, every key id `<algorithm>:<device
 * id>`, an ed25519 key present, and the object signed by that key.
 */
export function parseDeviceKeys(raw: unknown, userId: string, deviceId: string): ParsedDeviceKeys {
  const o = asObject(raw, "device_keys");
  if (o["user_id"] !== userId) throw invalidParam(`'device_keys.user_id' must be your user id ${userId}`);
  if (o["device_id"] !== deviceId) throw invalidParam(`'device_keys.device_id' must be the device of this access token, ${deviceId}`);
  const algorithms = o["algorithms"];
  if (!Array.isArray(algorithms) || algorithms.some((a) => typeof a !== "string")) throw badJson("'device_keys.algorithms' must be an array of strings");
  const keys = asObject(o["keys"], "device_keys.keys");
  for (const [id, value] of Object.entries(keys)) {
    const [algorithm, keyDevice] = splitKeyId(id);
    if (keyDevice !== deviceId) throw invalidParam(`'device_keys.keys' id ${id} must be <algorithm>:${deviceId}`);
    if (algorithm === "ed25519" || algorithm === "curve25519") publicKeyBytes(value, `device_keys.keys.${id}`);
    else if (typeof value !== "string") throw badJson(`'device_keys.keys.${id}' must be a string`);
  }
  const signingId = `ed25519:${deviceId}`;
  if (keys[signingId] === undefined) throw invalidParam(`'device_keys.keys' must contain the device's signing key ${signingId}`);
  const ed25519 = publicKeyBytes(keys[signingId], `device_keys.keys.${signingId}`);
  requireCanonical(o, "device_keys");
  if (!verifyJsonSignature(o, userId, signingId, ed25519)) {
    throw invalidSignature(`'device_keys' must be signed by its own key ${signingId} (signatures.${userId}.${signingId}); the signature is missing or wrong`);
  }
  return { json: o, ed25519 };
}

function splitKeyId(id: string): [algorithm: string, name: string] {
  const colon = id.indexOf(":");
  if (colon <= 0 || colon === id.length - 1 || id.length > MAX_KEY_ID) throw invalidParam(`Key id '${id}' must be <algorithm>:<key id>`);
  return [id.slice(0, colon), id.slice(colon + 1)];
}

/**
 * `one_time_keys` or `fallback_keys` of /keys/upload. `signed_curve25519` keys must be objects
 * signed by the device key; `ed25519` is undefined when the device has no keys yet.
 */
export function parseOneTimeKeys(raw: unknown, field: "one_time_keys" | "fallback_keys", who: { userId: string; deviceId: string }, ed25519: Uint8Array | undefined): OneTimeKey[] {
  const o = asObject(raw, field);
  const entries = Object.entries(o);
  if (entries.length > MAX_KEYS_PER_UPLOAD) throw invalidParam(`Too many keys in '${field}' (at most ${MAX_KEYS_PER_UPLOAD})`);
  const out: OneTimeKey[] = [];
  const algorithms = new Set<string>();
  for (const [keyId, value] of entries) {
    const [algorithm] = splitKeyId(keyId);
    const where = `${field}.${keyId}`;
    if (field === "fallback_keys" && algorithms.has(algorithm)) throw invalidParam(`'${field}' may hold only one key per algorithm (${algorithm})`);
    algorithms.add(algorithm);
    if (algorithm === "signed_curve25519") checkSignedKey(value, where, who, ed25519);
    else if (algorithm === "curve25519") publicKeyBytes(value, where);
    else if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) throw badJson(`'${where}' must be a string or an object`);
    out.push({ algorithm, keyId, key: value });
  }
  return out;
}

function checkSignedKey(value: unknown, where: string, who: { userId: string; deviceId: string }, ed25519: Uint8Array | undefined): void {
  const k = asObject(value, where);
  publicKeyBytes(k["key"], `${where}.key`);
  if (k["fallback"] !== undefined && typeof k["fallback"] !== "boolean") throw badJson(`'${where}.fallback' must be a boolean`);
  if (ed25519 === undefined) throw invalidParam(`Cannot check the signature of '${where}': upload this device's device_keys first (or in the same request)`);
  requireCanonical(k, where);
  const signingId = `ed25519:${who.deviceId}`;
  if (!verifyJsonSignature(k, who.userId, signingId, ed25519)) {
    throw invalidSignature(`'${where}' must be signed by the device key ${signingId}; the signature is missing or wrong`);
  }
}

export interface ParsedCrossSigningKey {
  type: CrossSigningType;
  json: KeyJson;
  /** Unpadded Base64 public key; the key id is `ed25519:<publicKey>`. */
  publicKey: string;
  keyBytes: Uint8Array;
}

/** A cross-signing key object: this user, the right usage, exactly one ed25519 key named after itself. */
export function parseCrossSigningKey(raw: unknown, field: string, userId: string, type: CrossSigningType): ParsedCrossSigningKey {
  const o = asObject(raw, field);
  if (o["user_id"] !== userId) throw invalidParam(`'${field}.user_id' must be ${userId}`);
  const usage = o["usage"];
  if (!Array.isArray(usage) || usage.some((u) => typeof u !== "string")) throw badJson(`'${field}.usage' must be an array of strings`);
  if (!usage.includes(type)) throw invalidParam(`'${field}.usage' must include '${type}'`);
  const keys = Object.entries(asObject(o["keys"], `${field}.keys`));
  const only = keys[0];
  if (keys.length !== 1 || only === undefined) throw invalidParam(`'${field}.keys' must hold exactly one key`);
  const [keyId, value] = only;
  if (!keyId.startsWith("ed25519:") || keyId.slice("ed25519:".length) !== value) {
    throw invalidParam(`'${field}.keys' must be {"ed25519:<public key>": "<public key>"}`);
  }
  const keyBytes = publicKeyBytes(value, `${field}.keys.${keyId}`);
  if (o["signatures"] !== undefined) asObject(o["signatures"], `${field}.signatures`);
  requireCanonical(o, field);
  return { type, json: o, publicKey: value, keyBytes };
}

/** Whether `obj` carries a valid signature by `signerUserId`'s ed25519 key `publicKey` (Base64). */
export function signedByKey(obj: KeyJson, signerUserId: string, publicKey: string): boolean {
  try {
    return verifyJsonSignature(obj, signerUserId, `ed25519:${publicKey}`, decodeBase64(publicKey));
  } catch {
    return false;
  }
}

/** The public key (Base64) of a stored cross-signing key or device's ed25519 key. */
export function ed25519Of(keys: KeyJson, keyId: string): string | undefined {
  const map = keys["keys"];
  if (typeof map !== "object" || map === null) return undefined;
  const v = (map as Record<string, unknown>)[keyId];
  return typeof v === "string" ? v : undefined;
}

/** The single public key of a stored cross-signing key. */
export function crossSigningPublicKey(keys: KeyJson): string | undefined {
  const map = keys["keys"];
  if (typeof map !== "object" || map === null) return undefined;
  const first = Object.values(map as Record<string, unknown>)[0];
  return typeof first === "string" ? first : undefined;
}
