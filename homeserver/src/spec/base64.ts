// Unpadded Base64, standard and URL-safe alphabets.
// Spec: https://spec.matrix.org/v1.16/appendices/#unpadded-base64
//       https://spec.matrix.org/v1.16/appendices/#url-safe-unpadded-base64

/** Thrown by `decodeBase64` on input that is not Base64 in either alphabet. */
export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Base64Error";
  }
}

/** Standard alphabet (`+`, `/`), no `=` padding: keys, signatures, content hashes. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, "");
}

/** URL-safe alphabet (`-`, `_`), no padding: v4+ event ids and v12 room ids. */
export function encodeBase64Url(bytes: Uint8Array): string {
  // Node's "base64url" encoding is already unpadded (RFC 4648 §5 without "=").
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

const BODY = /^[A-Za-z0-9+/_-]*$/;

/**
 * Decodes Base64 in either alphabet, with or without padding (the spec says decoders SHOULD
 * accept both). Throws `Base64Error` on any other character, on a string mixing the two
 * alphabets, on misplaced/wrong padding and on an impossible length (4n+1 characters).
 * Non-zero trailing bits are tolerated, as most implementations do.
 */
export function decodeBase64(s: string): Uint8Array {
  const firstPad = s.indexOf("=");
  const body = firstPad === -1 ? s : s.slice(0, firstPad);
  const padding = firstPad === -1 ? "" : s.slice(firstPad);
  if (!BODY.test(body)) throw new Base64Error("invalid Base64 character");
  if (/[+/]/.test(body) && /[-_]/.test(body)) throw new Base64Error("Base64 mixes standard and URL-safe alphabets");
  if (body.length % 4 === 1) throw new Base64Error("invalid Base64 length");
  if (padding !== "") {
    const expected = (4 - (body.length % 4)) % 4;
    if (!/^=+$/.test(padding) || padding.length !== expected) throw new Base64Error("invalid Base64 padding");
  }
  // Buffer's "base64" decoder accepts both alphabets; the checks above make it strict.
  // Copy out of Buffer's shared pool so callers never hold a view over unrelated memory.
  return new Uint8Array(Buffer.from(body, "base64"));
}
