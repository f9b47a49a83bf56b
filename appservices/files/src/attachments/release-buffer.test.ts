// releaseBuffer (Node: transfer(0)) and the web backend's updateInto: the same bytes as update(),
// written into the caller's buffer, WebCrypto's own outputs freed.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { releaseBuffer } from "./release-buffer.ts";
import { webBackend } from "./web-backend.ts";

describe("releaseBuffer and the web backend's updateInto", () => {
  it("frees a buffer a view spans whole, and refuses a slice of a bigger one (a pool's)", () => {
    const whole = new Uint8Array(1024);
    assert.equal(releaseBuffer(whole), true);
    assert.equal(whole.byteLength, 0, "detached");
    assert.equal(releaseBuffer(whole), false, "already released");
    const big = new Uint8Array(1024);
    assert.equal(releaseBuffer(big.subarray(16)), false);
    assert.equal(releaseBuffer(big.subarray(0, 512)), false);
    assert.equal(big.byteLength, 1024, "left alone");
    const pooled = Buffer.from("small"); // a slice of Node's shared pool
    assert.equal(releaseBuffer(pooled), false);
    assert.equal(pooled.toString(), "small");
  });

  for (const chunk of [64 * 1024, 48]) it(`updateInto gives update()'s ciphertext for inputs of any length (${chunk}-byte calls)`, async () => {
    const key = randomBytes(32);
    const iv = new Uint8Array(16);
    iv.set(randomBytes(8));
    const data = randomBytes(5 * 65536 + 777);
    const sizes = [1, 15, 16, 100_000, 65536, 3, 131072, 200_000];
    const a = webBackend(globalThis.crypto.subtle, undefined, chunk).aesCtr(key, iv);
    const b = webBackend(globalThis.crypto.subtle, undefined, chunk).aesCtr(key, iv);
    const expected: Uint8Array[] = [];
    const into = new Uint8Array(data.length);
    let at = 0;
    let off = 0;
    for (let i = 0; off < data.length; i++) {
      const piece = data.subarray(off, Math.min(data.length, off + sizes[i % sizes.length]!));
      off += piece.length;
      expected.push(await a.update(piece));
      at += await b.updateInto!(piece, into.subarray(at));
    }
    expected.push(await a.final());
    const last = await b.final();
    into.set(last, at);
    at += last.length;
    assert.equal(at, data.length);
    assert.deepEqual(Buffer.from(into), Buffer.concat(expected));
  });
});
