// Encrypted attachments (spec: Sending encrypted attachments): AES-CTR-256 with a random key, a
// 128-bit IV whose low 64 bits are zero (the counter), SHA-256 of the ciphertext checked before
// decrypting. WebCrypto only, so it runs the same in the browser and in Node's tests.
export interface EncryptedFile {
  url: string;
  key: { kty: "oct"; key_ops: string[]; alg: "A256CTR"; k: string; ext: true };
  iv: string;
  hashes: { sha256: string };
  v: "v2";
}

const b64 = (bytes: Uint8Array): string => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/=+$/, "");
};
const unb64 = (s: string): Uint8Array<ArrayBuffer> => {
  const std = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};

export async function encryptAttachment(plain: ArrayBuffer): Promise<{ data: ArrayBuffer; info: Omit<EncryptedFile, "url"> }> {
  const iv = new Uint8Array(16);
  crypto.getRandomValues(iv.subarray(0, 8));
  const key = await crypto.subtle.generateKey({ name: "AES-CTR", length: 256 }, true, ["encrypt", "decrypt"]);
  const data = await crypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, key, plain);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return {
    data,
    info: { key: { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A256CTR", k: jwk.k ?? "", ext: true }, iv: b64(iv), hashes: { sha256: b64(hash) }, v: "v2" },
  };
}

export class AttachmentError extends Error {}

export async function decryptAttachment(cipher: ArrayBuffer, file: Record<string, unknown>): Promise<ArrayBuffer> {
  const key = file["key"] as Record<string, unknown> | undefined;
  const hashes = file["hashes"] as Record<string, unknown> | undefined;
  const k = key?.["k"];
  const iv = file["iv"];
  const sha = hashes?.["sha256"];
  if (typeof k !== "string" || typeof iv !== "string" || typeof sha !== "string") throw new AttachmentError("incomplete encrypted file info");
  const actual = b64(new Uint8Array(await crypto.subtle.digest("SHA-256", cipher)));
  if (actual !== sha.replace(/=+$/, "")) throw new AttachmentError("the file's hash does not match: damaged or replaced");
  const cryptoKey = await crypto.subtle.importKey("jwk", { kty: "oct", k, alg: "A256CTR", ext: true, key_ops: ["encrypt", "decrypt"] }, { name: "AES-CTR" }, false, ["decrypt"]);
  return crypto.subtle.decrypt({ name: "AES-CTR", counter: unb64(iv), length: 64 }, cryptoKey, cipher);
}

/** mxc://server/id → the authenticated download URL (spec v1.11 client media). */
export function mediaDownloadUrl(baseUrl: string, mxc: string): string {
  const m = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(mxc);
  if (m === null) throw new AttachmentError(`not an mxc URL: ${mxc}`);
  return `${baseUrl}/_matrix/client/v1/media/download/${encodeURIComponent(m[1] ?? "")}/${encodeURIComponent(m[2] ?? "")}`;
}

/** "1,5 Mo" / "1.5 MB": sizes in the agent's language (French typography: o, ko, Mo, Go; 1 ko = 1024 o, as the share pages count). */
export function formatSize(bytes: number, locale: "fr" | "en"): string {
  const units = locale === "fr" ? ["o", "ko", "Mo", "Go"] : ["B", "KB", "MB", "GB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toLocaleString(locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: u === 0 ? 0 : 1 })} ${units[u] ?? ""}`;
}
