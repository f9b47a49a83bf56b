// Node backend: OpenSSL's streaming AES-256-CTR and SHA-256 (several hundred MB/s per core).
import { createCipheriv, createHash, randomBytes, type Hash } from "node:crypto";
import type { AttachmentBackend, CtrCipher, Sha256 } from "./backend.ts";

export const nodeBackend: AttachmentBackend = {
  name: "node",
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  aesCtr(key, iv): CtrCipher {
    const c = createCipheriv("aes-256-ctr", key, iv);
    return {
      update: async (chunk) => c.update(chunk),
      final: async () => c.final(),
    };
  },
  sha256: () => wrap(createHash("sha256")),
  digest: async (data) => new Uint8Array(createHash("sha256").update(data).digest()),
};

function wrap(h: Hash): Sha256 {
  return {
    update: (chunk) => void h.update(chunk),
    digest: () => new Uint8Array(h.digest()),
    copy: () => wrap(h.copy()),
  };
}
