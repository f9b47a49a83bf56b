// Browser backend (also runs in Node, which has WebCrypto): AES-CTR through crypto.subtle and an
// incremental SHA-256. WebCrypto has no streaming cipher, so small chunks are gathered into blocks
// of CTR_CHUNK and each block is one `subtle.encrypt` call starting at the counter block of its
// offset (bigger chunks go as they are). 64 KiB, measured in Chromium on the project's VM: 200–230
// MB per CPU second with 64 KiB calls, 65–90 with 1–4 MiB calls (each call allocates its output,
// and fresh large buffers cost page faults there), so bigger is not better. At most
// CTR_CALLS_IN_FLIGHT calls are pending at once (see there): with more, every output is fresh memory.
// SHA-256: `loadWebBackend()` uses hash-wasm (WebAssembly, ~10× the JS one); `webBackend()` alone
// uses the JS SHA-256 of @entente/protocol, kept as the fallback where WebAssembly is refused.
import type { AttachmentBackend, CtrCipher, Sha256 } from "./backend.ts";
import { jsSha256 } from "../../../protocol/src/sha256.ts";
import { loadWasmSha256 } from "./wasm-sha256.ts";
import { releaseBuffer } from "./release-buffer.ts";

const BLOCK = 16;
/** Bytes per subtle.encrypt call (a multiple of 16). */
export const CTR_CHUNK = 64 * 1024;

/**
 * Bytes per call for the web client's upload worker (`webBackend(subtle, sha256, UPLOAD_CTR_CHUNK)`),
 * which reads the file in 1 MiB BYOB reads: 256 KiB calls are still recycled by Chromium's allocator
 * (1 MiB ones are not: each output fresh memory) and cost less per byte than 64 KiB ones. Dedicated
 * worker, 256 MiB encrypted into one reused buffer, 8 calls pending, 3 rounds at load 11
 * (tests/bench/upload-alloc.ts): 64 KiB calls 0.27–0.52 renderer CPU s, 256 KiB 0.18–0.20, 512 KiB
 * 0.19–0.22, all ≈ 5 k page faults besides the buffer's own; 1 MiB calls (2 pending) 0.61–0.68 s and
 * 200 k faults. The ciphertext is the same whatever the call size (each call starts at the counter
 * block of its offset).
 */
export const UPLOAD_CTR_CHUNK = 256 * 1024;

/**
 * subtle.encrypt calls pending at once, at most. Chromium's allocator hands a freed buffer of a
 * size to the next one of that size while few are free at once; with many outputs freed together
 * (a 4 MiB input issued as 64 calls) it gives the memory back to the system and every next output
 * is fresh memory, i.e. a page fault per 4 KiB, ≈ 15 µs each on the project's VM. In a dedicated
 * worker, 256 MiB encrypted into one reused buffer in 64 KiB calls (tests/bench/dossier-worker-steps.ts,
 * load 9–11): 32 calls at once 1.4–3.3 renderer CPU s and 39–55 k page faults, 4 or 8 at once
 * 0.25–0.28 s and 6 k (the buffer's own), 1 at a time 0.26–0.30 s but slower in wall time.
 */
export const CTR_CALLS_IN_FLIGHT = 8;

/** The counter block for block number `n` after `iv`: the low 64 bits count, wrapping (as WebCrypto's length 64). */
export function counterAt(iv: Uint8Array, n: number): Uint8Array {
  const out = iv.slice();
  const view = new DataView(out.buffer);
  const low = (view.getBigUint64(8) + BigInt(n)) & 0xffffffffffffffffn;
  view.setBigUint64(8, low);
  return out;
}

export function webBackend(subtle: typeof globalThis.crypto.subtle = globalThis.crypto.subtle, sha256: () => Sha256 = jsSha256, chunk = CTR_CHUNK): AttachmentBackend {
  if (chunk <= 0 || chunk % BLOCK !== 0) throw new RangeError(`CTR chunk must be a positive multiple of ${BLOCK}`);
  return {
    name: sha256 === jsSha256 ? "webcrypto" : "webcrypto+wasm",
    randomBytes: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
    aesCtr(key, iv): CtrCipher {
      const cryptoKey = subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "AES-CTR" }, false, ["encrypt"]);
      let blocks = 0;
      // Bytes gathered for the next call; every call but the last starts and ends on a block boundary.
      let buf: Uint8Array<ArrayBuffer> | undefined;
      let filled = 0;
      let loaded: Awaited<typeof cryptoKey> | undefined;
      /** Synchronous up to subtle.encrypt, which copies `data` when called (the key is loaded before). */
      const run = (data: Uint8Array): Promise<Uint8Array> => {
        if (data.length === 0) return Promise.resolve(new Uint8Array(0));
        const counter = counterAt(iv, blocks) as Uint8Array<ArrayBuffer>;
        blocks += Math.ceil(data.length / BLOCK);
        return subtle.encrypt({ name: "AES-CTR", counter, length: 64 }, loaded!, data as Uint8Array<ArrayBuffer>).then((b) => new Uint8Array(b));
      };
      /**
       * The calls for `input` (each starts at its own counter block), at most CTR_CALLS_IN_FLIGHT
       * pending at once; `take` gets every output in order. WebCrypto copies its input when called,
       * so the gathering buffer is refilled at once. Big inputs go in CTR_CHUNK calls too, never
       * one big call (see the top).
       */
      const issue = async (input: Uint8Array, take: (out: Uint8Array) => void): Promise<void> => {
        loaded ??= await cryptoKey;
        const pending: Promise<Uint8Array>[] = [];
        const call = async (data: Uint8Array): Promise<void> => {
          if (pending.length >= CTR_CALLS_IN_FLIGHT) take(await pending.shift()!);
          const p = run(data);
          // awaited in order, later: a failure before then must not count as unhandled
          p.catch(() => undefined);
          pending.push(p);
        };
        let off = 0;
        while (off < input.length) {
          const left = input.length - off;
          if (filled === 0 && left >= chunk) {
            await call(input.subarray(off, off + chunk));
            off += chunk;
            continue;
          }
          buf ??= new Uint8Array(chunk);
          const n = Math.min(chunk - filled, left);
          buf.set(input.subarray(off, off + n), filled);
          filled += n;
          off += n;
          if (filled === chunk) {
            filled = 0;
            await call(buf);
          }
        }
        for (const p of pending) take(await p);
      };
      return {
        async update(input) {
          const out: Uint8Array[] = [];
          await issue(input, (o) => out.push(o));
          if (out.length === 1) return out[0]!;
          const joined = concat(out);
          for (const o of out) releaseBuffer(o); // WebCrypto's own outputs, copied
          return joined;
        },
        async updateInto(input, target) {
          let n = 0;
          await issue(input, (o) => {
            target.set(o, n);
            n += o.length;
            releaseBuffer(o); // WebCrypto's own output, copied: freed now, not at the next collection
          });
          return n;
        },
        async final() {
          loaded ??= await cryptoKey;
          const n = filled;
          filled = 0;
          const last = n === 0 || buf === undefined ? new Uint8Array(0) : await run(buf.subarray(0, n));
          buf = undefined;
          return last;
        },
      };
    },
    digest: async (data) => new Uint8Array(await subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>)),
    sha256,
  };
}

let loading: Promise<AttachmentBackend> | undefined;

/**
 * The web backend with the WebAssembly SHA-256, loaded once per page; falls back to the JS
 * SHA-256 (same results, slower) when WebAssembly cannot be instantiated (e.g. a CSP without
 * 'wasm-unsafe-eval').
 */
export function loadWebBackend(): Promise<AttachmentBackend> {
  loading ??= loadWasmSha256().then(
    (sha256) => webBackend(globalThis.crypto.subtle, sha256),
    () => webBackend(),
  );
  return loading;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
