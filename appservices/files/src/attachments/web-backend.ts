// Browser backend (also runs in Node, which has WebCrypto): AES-CTR through crypto.subtle, one
// call per chunk with the counter block computed for the chunk's offset, and the JS SHA-256.
import type { AttachmentBackend, CtrCipher } from "./backend.ts";
import { jsSha256 } from "../../../protocol/src/sha256.ts";

const BLOCK = 16;

/** The counter block for block number `n` after `iv`: the low 64 bits count, wrapping (as WebCrypto's length 64). */
export function counterAt(iv: Uint8Array, n: number): Uint8Array {
  const out = iv.slice();
  const view = new DataView(out.buffer);
  const low = (view.getBigUint64(8) + BigInt(n)) & 0xffffffffffffffffn;
  view.setBigUint64(8, low);
  return out;
}

export function webBackend(subtle: typeof globalThis.crypto.subtle = globalThis.crypto.subtle): AttachmentBackend {
  return {
    name: "webcrypto",
    randomBytes: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
    aesCtr(key, iv): CtrCipher {
      const cryptoKey = subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "AES-CTR" }, false, ["encrypt"]);
      let blocks = 0;
      // At most one partial block is carried over, so every call starts on a block boundary.
      let pending = new Uint8Array(0);
      const run = async (data: Uint8Array): Promise<Uint8Array> => {
        if (data.length === 0) return data;
        const counter = counterAt(iv, blocks) as Uint8Array<ArrayBuffer>;
        const out = new Uint8Array(await subtle.encrypt({ name: "AES-CTR", counter, length: 64 }, await cryptoKey, data as Uint8Array<ArrayBuffer>));
        blocks += Math.ceil(data.length / BLOCK);
        return out;
      };
      return {
        async update(chunk) {
          const all = pending.length === 0 ? chunk : concat(pending, chunk);
          const whole = all.length - (all.length % BLOCK);
          pending = all.slice(whole);
          return run(all.subarray(0, whole));
        },
        async final() {
          const last = pending;
          pending = new Uint8Array(0);
          return run(last);
        },
      };
    },
    sha256: jsSha256,
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
