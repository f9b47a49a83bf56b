// Ed25519 signing keys and signed JSON, with node:crypto only.
// Spec: https://spec.matrix.org/v1.16/appendices/#signing-json
//       https://spec.matrix.org/v1.16/appendices/#checking-for-a-signature
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { decodeBase64, encodeBase64 } from "../spec/base64.ts";
import { canonicalJson } from "../spec/canonical-json.ts";

export type KeyId = `ed25519:${string}`;

export interface SigningKey {
  readonly keyId: KeyId;
  /** The 32-byte Ed25519 seed (the secret). */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export type Signatures = Record<string, Record<string, string>>;

// DER framing for raw Ed25519 keys (RFC 8410): PKCS#8 for the seed, SPKI for the public key.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Key versions must match `[a-zA-Z0-9_]` (server keys API, `verify_keys`). */
const KEY_VERSION = /^[a-zA-Z0-9_]+$/;

// KeyObjects are costly to build; the server signs with the same key all day.
const privateKeys = new WeakMap<Uint8Array, KeyObject>();

function privateKeyOf(seed: Uint8Array): KeyObject {
  let key = privateKeys.get(seed);
  if (key === undefined) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
    privateKeys.set(seed, key);
  }
  return key;
}

// Same for the verify keys of other servers (≈ 30 µs a build, ¼ of a verification): the key ring
// hands out the same Uint8Array for a server's key while it keeps it, so the KeyObject lives as long.
const publicKeys = new WeakMap<Uint8Array, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  let key = publicKeys.get(publicKey);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    publicKeys.set(publicKey, key);
  }
  return key;
}

/** Builds a signing key from its seed; `keyId` is `ed25519:<version>`. */
export function signingKeyFromSeed(keyId: KeyId, seed: Uint8Array): SigningKey {
  const version = keyId.slice("ed25519:".length);
  if (!keyId.startsWith("ed25519:") || !KEY_VERSION.test(version)) throw new Error(`invalid key id ${keyId}`);
  if (seed.length !== 32) throw new Error(`an ed25519 seed is 32 bytes, got ${seed.length}`);
  const ownSeed = Uint8Array.from(seed);
  const spki = createPublicKey(privateKeyOf(ownSeed)).export({ format: "der", type: "spki" });
  return { keyId, seed: ownSeed, publicKey: Uint8Array.from(spki.subarray(SPKI_PREFIX.length)) };
}

/** A fresh random key. `version` becomes the key id's tail (`ed25519:<version>`). */
export function generateSigningKey(version: string): SigningKey {
  return signingKeyFromSeed(`ed25519:${version}`, randomBytes(32));
}

/** The public key as published in `verify_keys` (unpadded standard Base64). */
export function publicKeyBase64(key: SigningKey): string {
  return encodeBase64(key.publicKey);
}

/** Synapse-compatible key file: one `ed25519 <version> <unpadded base64 seed>` per line. */
export function encodeSigningKeyFile(key: SigningKey): string {
  return `ed25519 ${key.keyId.slice("ed25519:".length)} ${encodeBase64(key.seed)}\n`;
}

/** Parses every key of a key file (blank lines ignored; Synapse signs with the first one).
 *  Throws on unknown algorithms or malformed lines; an empty file gives []. */
export function parseSigningKeyFile(text: string): SigningKey[] {
  const keys: SigningKey[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 3 || parts[0] !== "ed25519") {
      throw new Error(`signing key file line ${i + 1}: expected "ed25519 <version> <base64 seed>"`);
    }
    const [, version = "", seed = ""] = parts;
    keys.push(signingKeyFromSeed(`ed25519:${version}`, decodeBase64(seed)));
  }
  return keys;
}

/**
 * The signed part of a JSON object: everything but `signatures` and `unsigned`, as canonical
 * JSON bytes. For a redacted event these are also the bytes of its reference hash (hashes.ts).
 */
export function signedBytes(obj: object): Buffer {
  const { signatures: _s, unsigned: _u, ...rest } = obj as Record<string, unknown>;
  return Buffer.from(canonicalJson(rest), "utf8");
}

function existingSignatures(obj: object): Signatures {
  const sigs = (obj as { signatures?: unknown }).signatures;
  if (sigs === undefined) return {};
  if (typeof sigs !== "object" || sigs === null || Array.isArray(sigs)) throw new TypeError("signatures is not an object");
  return sigs as Signatures;
}

/**
 * Signs `obj` as `serverName` and returns a copy with the signature merged into
 * `signatures[serverName][keyId]`; other signatures and `unsigned` are kept untouched.
 * Throws `CanonicalJsonError` if the object is not canonical-JSON encodable.
 */
export function signJson<T extends object>(obj: T, serverName: string, key: SigningKey): T & { signatures: Signatures } {
  const signature = signBytes(signedBytes(obj), key);
  const previous = existingSignatures(obj);
  const signatures: Signatures = { ...previous, [serverName]: { ...previous[serverName], [key.keyId]: signature } };
  return { ...obj, signatures };
}

/** The unpadded Base64 ed25519 signature of `bytes` (from `signedBytes`). */
export function signBytes(bytes: Buffer, key: SigningKey): string {
  return encodeBase64(sign(null, bytes, privateKeyOf(key.seed)));
}

/**
 * Checks `signatures[serverName][keyId]` of `obj` against `publicKey`. False (never a throw)
 * when the signature is missing, not Base64, or the object cannot be canonically encoded.
 */
export function verifyJsonSignature(obj: object, serverName: string, keyId: string, publicKey: Uint8Array): boolean {
  const sigs = (obj as { signatures?: unknown }).signatures;
  if (typeof sigs !== "object" || sigs === null) return false;
  const byServer: unknown = (sigs as Record<string, unknown>)[serverName];
  if (typeof byServer !== "object" || byServer === null) return false;
  const encoded: unknown = (byServer as Record<string, unknown>)[keyId];
  if (typeof encoded !== "string" || publicKey.length !== 32) return false;
  try {
    const signature = decodeBase64(encoded);
    if (signature.length !== 64) return false;
    return verify(null, signedBytes(obj), publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
