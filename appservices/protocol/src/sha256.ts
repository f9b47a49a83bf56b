// SHA-256 (FIPS 180-4) in plain TypeScript, synchronous and dependency-free, incremental:
// WebCrypto only digests a whole buffer, asynchronously. The files package streams dossier files
// through it in the browser (holding a 4 GiB file to hash it is what streaming is meant to avoid);
// the meeting of a calendar event is derived from its ids with it in the bot (Node), the widgets
// and the client (browsers) alike.

export interface Sha256 {
  update(chunk: Uint8Array): void;
  digest(): Uint8Array;
  /** An independent hasher in the same state (a checkpoint to go back to when a part fails). */
  copy(): Sha256;
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export function jsSha256(from?: { h: Uint32Array; block: Uint8Array; filled: number; total: number }): Sha256 {
  const h = from ? from.h.slice() : Uint32Array.from(INITIAL);
  const w = new Uint32Array(64);
  const block = from ? from.block.slice() : new Uint8Array(64);
  let filled = from?.filled ?? 0;
  let total = from?.total ?? 0;

  const compress = (buf: Uint8Array, off: number): void => {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      w[i] = (buf[j]! << 24) | (buf[j + 1]! << 16) | (buf[j + 2]! << 8) | buf[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
  };

  return {
    copy: () => jsSha256({ h, block, filled, total }),
    update(chunk) {
      total += chunk.length;
      let i = 0;
      if (filled > 0) {
        const n = Math.min(64 - filled, chunk.length);
        block.set(chunk.subarray(0, n), filled);
        filled += n;
        i = n;
        if (filled < 64) return;
        compress(block, 0);
        filled = 0;
      }
      for (; i + 64 <= chunk.length; i += 64) compress(chunk, i);
      block.set(chunk.subarray(i), 0);
      filled = chunk.length - i;
    },
    digest() {
      const bits = total * 8;
      const pad = new Uint8Array((filled < 56 ? 64 : 128) - filled);
      pad[0] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
      view.setUint32(pad.length - 4, bits >>> 0);
      this.update(pad);
      const out = new Uint8Array(32);
      const ov = new DataView(out.buffer);
      for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]!);
      return out;
    },
  };
}

/** One-shot SHA-256 of a string's UTF-8 bytes. */
export function sha256Utf8(text: string): Uint8Array {
  const h = jsSha256();
  h.update(new TextEncoder().encode(text));
  return h.digest();
}
