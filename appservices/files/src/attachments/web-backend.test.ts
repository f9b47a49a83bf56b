// The web backend's AES-CTR keeps at most CTR_CALLS_IN_FLIGHT WebCrypto calls pending (with more,
// Chromium's outputs are fresh memory: page faults, see web-backend.ts) and still gives OpenSSL's
// ciphertext, for update() and updateInto(), and when a call fails.
import { strict as assert } from "node:assert";
import { createCipheriv, randomBytes } from "node:crypto";
import { jsSha256 } from "../../../protocol/src/sha256.ts";
import { CTR_CALLS_IN_FLIGHT, CTR_CHUNK, UPLOAD_CTR_CHUNK, webBackend } from "./web-backend.ts";

type Subtle = typeof globalThis.crypto.subtle;

/** WebCrypto with the calls to encrypt counted: the most pending at once. */
function countingSubtle(failAt = -1): { subtle: Subtle; most(): number; calls(): number; settled(): Promise<void> } {
  const real = globalThis.crypto.subtle;
  let pending = 0;
  let most = 0;
  let calls = 0;
  let onIdle: (() => void) | undefined;
  const subtle = {
    importKey: real.importKey.bind(real),
    digest: real.digest.bind(real),
    encrypt: async (...a: Parameters<Subtle["encrypt"]>): Promise<ArrayBuffer> => {
      const n = calls++;
      most = Math.max(most, ++pending);
      // WebCrypto copies its input when called (the caller may refill it at once)
      const input = new Uint8Array(ArrayBuffer.isView(a[2]) ? a[2].buffer.slice(a[2].byteOffset, a[2].byteOffset + a[2].byteLength) : a[2].slice(0));
      try {
        await new Promise((r) => setTimeout(r, 1)); // answers come later, as from Chromium's crypto thread
        if (n === failAt) throw new Error("encrypt failed");
        return await real.encrypt(a[0], a[1], input);
      } finally {
        if (--pending === 0) onIdle?.();
      }
    },
  } as unknown as Subtle;
  /** Resolves once no call is pending (at once if none is). */
  const settled = (): Promise<void> => (pending === 0 ? Promise.resolve() : new Promise<void>((r) => (onIdle = r)));
  return { subtle, most: () => most, calls: () => calls, settled };
}

describe("web backend: WebCrypto AES-CTR calls in flight", () => {
  const key = randomBytes(32);
  const iv = new Uint8Array(16);
  iv.set(randomBytes(8));
  const data = randomBytes(4 * 1024 * 1024 + 100); // 65 calls of 64 KiB, one input
  const expected = (): Buffer => createCipheriv("aes-256-ctr", key, iv).update(data);

  it(`a 4 MiB input goes in 64 KiB calls, at most ${CTR_CALLS_IN_FLIGHT} pending at once, OpenSSL's bytes (updateInto)`, async () => {
    const c = countingSubtle();
    const cipher = webBackend(c.subtle).aesCtr(key, iv);
    const out = new Uint8Array(data.length);
    const n = await cipher.updateInto!(data, out);
    out.set(await cipher.final(), n);
    assert.equal(c.calls(), Math.ceil(data.length / CTR_CHUNK));
    assert.ok(c.most() <= CTR_CALLS_IN_FLIGHT, `${c.most()} calls pending at once`);
    assert.ok(c.most() > 1, "still several at once");
    assert.deepEqual(Buffer.from(out), expected());
  });

  it("update() too, in pieces of any length", async () => {
    const c = countingSubtle();
    const cipher = webBackend(c.subtle).aesCtr(key, iv);
    const parts: Uint8Array[] = [];
    for (const [a, b] of [[0, 17], [17, 2_000_000], [2_000_000, data.length]] as const) parts.push(await cipher.update(data.subarray(a, b)));
    parts.push(await cipher.final());
    assert.ok(c.most() <= CTR_CALLS_IN_FLIGHT, `${c.most()} calls pending at once`);
    assert.deepEqual(Buffer.concat(parts), expected());
  });

  it(`the upload worker's ${UPLOAD_CTR_CHUNK / 1024} KiB calls give the bytes of ${CTR_CHUNK / 1024} KiB calls (also across the counter's wrap) and OpenSSL's`, async () => {
    const encrypt = async (chunk: number, from: Uint8Array): Promise<Buffer> => {
      const c = countingSubtle();
      const cipher = webBackend(c.subtle, jsSha256, chunk).aesCtr(key, from);
      const out = new Uint8Array(data.length);
      let n = 0;
      // pieces as the upload's reads hand them: whole MiBs, then odd lengths
      for (const [a, b] of [[0, 1 << 20], [1 << 20, 2 << 20], [2 << 20, (2 << 20) + 4097], [(2 << 20) + 4097, data.length]] as const) n += await cipher.updateInto!(data.subarray(a, b), out.subarray(n));
      out.set(await cipher.final(), n);
      assert.ok(c.most() <= CTR_CALLS_IN_FLIGHT, `${c.most()} calls pending at once`);
      return Buffer.from(out);
    };
    assert.ok((await encrypt(UPLOAD_CTR_CHUNK, iv)).equals(expected()), "OpenSSL's bytes");
    // the low 64 bits wrap inside the first call (WebCrypto's length 64, as Matrix clients; OpenSSL would carry)
    const wrapIv = iv.slice();
    new DataView(wrapIv.buffer).setBigUint64(8, 0xffffffffffffffffn - 20n);
    assert.ok((await encrypt(UPLOAD_CTR_CHUNK, wrapIv)).equals(await encrypt(CTR_CHUNK, wrapIv)), "64 KiB calls' bytes across the wrap");
  });

  it("a failing call rejects the update, nothing left unhandled", async () => {
    const unhandled: unknown[] = [];
    const note = (e: unknown): void => void unhandled.push(e);
    process.on("unhandledRejection", note);
    try {
      const c = countingSubtle(3);
      const cipher = webBackend(c.subtle).aesCtr(key, iv);
      await assert.rejects(cipher.updateInto!(data, new Uint8Array(data.length)), /encrypt failed/);
      // every call still pending settled, then one turn for Node to report an unhandled rejection
      await c.settled();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", note);
    }
  });
});
