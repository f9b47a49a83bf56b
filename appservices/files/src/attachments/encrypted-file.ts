// The Matrix v2 encrypted attachment info (`content.file` of an m.file in an encrypted room).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#sending-encrypted-attachments
// AES-256-CTR, the key as a JWK, a 16-byte iv whose low 64 bits (the counter) start at zero,
// and the SHA-256 of the CIPHERTEXT, all base64 without padding (the key base64url).
import { fromBase64 } from "./base64.ts";

export interface AttachmentJwk {
  kty: "oct";
  key_ops: string[];
  alg: "A256CTR";
  k: string;
  ext: true;
}

/** What a decryptor needs; `url` is added by whoever uploaded the ciphertext. */
export interface EncryptedFileInfo {
  v: "v2";
  key: AttachmentJwk;
  iv: string;
  hashes: { sha256: string };
}

export type EncryptedFile = EncryptedFileInfo & { url: string };

export class AttachmentError extends Error {
  readonly reason: "bad_info" | "hash_mismatch" | "size_mismatch";
  constructor(reason: AttachmentError["reason"], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Raw key material, checked: 32-byte key, 16-byte iv, 32-byte hash. */
export interface AttachmentKeys {
  key: Uint8Array;
  iv: Uint8Array;
  sha256: Uint8Array;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses untrusted event content (`content.file`); throws AttachmentError("bad_info"). */
export function parseEncryptedFile(raw: unknown, requireUrl: false): EncryptedFileInfo & { url?: string };
export function parseEncryptedFile(raw: unknown, requireUrl?: true): EncryptedFile;
export function parseEncryptedFile(raw: unknown, requireUrl = true): EncryptedFileInfo & { url?: string } {
  const bad = (why: string): never => {
    throw new AttachmentError("bad_info", `encrypted file info: ${why}`);
  };
  if (!isRecord(raw)) return bad("not an object");
  if (raw["v"] !== "v2") bad(`unsupported version ${JSON.stringify(raw["v"])}`);
  const key = raw["key"];
  if (!isRecord(key) || key["kty"] !== "oct" || key["alg"] !== "A256CTR" || typeof key["k"] !== "string") return bad("key is not an A256CTR JWK");
  const ops = key["key_ops"];
  if (!Array.isArray(ops) || !ops.includes("decrypt")) bad("key_ops lacks decrypt");
  const hashes = raw["hashes"];
  if (!isRecord(hashes) || typeof hashes["sha256"] !== "string") return bad("hashes.sha256 missing");
  if (typeof raw["iv"] !== "string") return bad("iv missing");
  const url = raw["url"];
  if (requireUrl && (typeof url !== "string" || !url.startsWith("mxc://"))) bad("url is not an mxc URI");
  const info: EncryptedFileInfo & { url?: string } = {
    v: "v2",
    key: { kty: "oct", alg: "A256CTR", ext: true, k: key["k"], key_ops: (ops as unknown[]).filter((o): o is string => typeof o === "string") },
    iv: raw["iv"],
    hashes: { sha256: hashes["sha256"] },
  };
  if (typeof url === "string") info.url = url;
  keysOf(info);
  return info;
}

export function keysOf(info: EncryptedFileInfo): AttachmentKeys {
  const key = fromBase64(info.key.k);
  const iv = fromBase64(info.iv);
  const sha256 = fromBase64(info.hashes.sha256);
  if (key?.length !== 32) throw new AttachmentError("bad_info", "encrypted file info: key is not 256 bits");
  if (iv?.length !== 16) throw new AttachmentError("bad_info", "encrypted file info: iv is not 16 bytes");
  if (sha256?.length !== 32) throw new AttachmentError("bad_info", "encrypted file info: sha256 is not 32 bytes");
  return { key, iv, sha256 };
}
