// The web backend's AES-CTR keeps at most CTR_CALLS_IN_FLIGHT WebCrypto calls pending (with more,
// Chromium's outputs are fresh memory: page faults, see web-backend.ts) and still gives OpenSSL's
// ciphertext, for update() and updateInto(), and when a call fails.
import { strict as assert } from "node:assert";
import { createCipheriv, randomBytes } from "node:crypto";
import { CTR_CALLS_IN_FLIGHT, CTR_CHUNK, webBackend } from "./web-backend.ts";

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
      try {
        await new Promise((r) => setTimeout(r, 1)); // answers come later, as from Chromium's crypto thread
        if (n === failAt) throw new Error("encrypt failed");
        return await real.encrypt(...a);
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
