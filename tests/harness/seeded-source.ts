// Pseudo-random file content of any size, generated on the fly and readable from any offset
// (the AES-256-CTR keystream of a seed), so multi-GiB transfers need no file on disk.
import { createCipheriv, createHash } from "node:crypto";

const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);

/** Bytes [offset, offset+length) of the content for `seed`; offset must be a multiple of 16. */
export function seededRange(seed: string, offset: number, length: number): ReadableStream<Uint8Array> {
  if (offset % 16 !== 0) throw new RangeError("offset must be a multiple of 16");
  const key = createHash("sha256").update(seed).digest();
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(offset / 16), 8);
  const cipher = createCipheriv("aes-256-ctr", key, iv);
  let left = length;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (left <= 0) return c.close();
      const n = Math.min(left, CHUNK);
      left -= n;
      // the cipher's output is a buffer of its own (not a slice of a pool): given as it is, not copied
      c.enqueue(cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n)));
    },
  }, { highWaterMark: 1 });
}

/** SHA-256 (hex) of the first `size` bytes for `seed`, streamed. */
export async function seededSha256(seed: string, size: number): Promise<string> {
  const h = createHash("sha256");
  await seededRange(seed, 0, size).pipeTo(new WritableStream({ write: (c) => void h.update(c) }));
  return h.digest("hex");
}
