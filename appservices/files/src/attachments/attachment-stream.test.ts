import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { decryptAttachment, encryptAttachment } from "matrix-encrypt-attachment";
import { decryptingStream, encryptingStream } from "./attachment-stream.ts";
import { nodeBackend } from "./node-backend.ts";
import { counterAt, loadWebBackend, webBackend } from "./web-backend.ts";
import { loadWasmSha256 } from "./wasm-sha256.ts";
import { jsSha256 } from "../../../protocol/src/sha256.ts";
import { fromBase64 } from "./base64.ts";
import { AttachmentError, parseEncryptedFile } from "./encrypted-file.ts";
import type { AttachmentBackend } from "./backend.ts";
import { runProbe } from "../probe/run-probe.ts";

/** Feeds `data` in uneven chunks (1, 15, 17, 4096+3 …) so block boundaries never line up. */
async function through(data: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const sizes = [1, 15, 17, 4099, 65536, 7];
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0, k = 0; i < data.length; k++) {
        const n = sizes[k % sizes.length]!;
        c.enqueue(data.slice(i, i + n));
        i += n;
      }
      c.close();
    },
  });
  const parts: Uint8Array[] = [];
  await source.pipeThrough(stream).pipeTo(new WritableStream({ write: (c) => void parts.push(c) }));
  return new Uint8Array(Buffer.concat(parts));
}

const wasmSha256 = await loadWasmSha256();
const wasmBackend = await loadWebBackend();
// A 48-byte CTR chunk: the uneven test chunks cross the gathering buffer, the direct path for
// chunks above it and the partial-block carry many times (the default 4 MiB would see one call).
const smallChunks = { ...webBackend(globalThis.crypto.subtle, wasmSha256, 48), name: "webcrypto+wasm, 48-byte CTR calls" };
const backends: AttachmentBackend[] = [nodeBackend, webBackend(), wasmBackend, smallChunks];

describe("attachments: streamed Matrix v2 encryption", () => {
  it("the JS SHA-256 equals OpenSSL's for every length around the block and padding edges", () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003]) {
      const data = randomBytes(n);
      const h = jsSha256();
      h.update(data.subarray(0, n >> 1));
      h.update(data.subarray(n >> 1));
      assert.equal(Buffer.from(h.digest()).toString("hex"), createHash("sha256").update(data).digest("hex"), `length ${n}`);
    }
  });

  it("the WebAssembly SHA-256 equals the JS one and OpenSSL's, with interleaved hashers and copies", () => {
    assert.equal(wasmBackend.name, "webcrypto+wasm", "hash-wasm loaded (not the JS fallback)");
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003, 5_000_000]) {
      const data = randomBytes(n);
      const js = jsSha256();
      const a = wasmSha256();
      const b = wasmSha256(); // shares the WebAssembly instance with a: states must not leak
      const cut = [0, n >> 2, n >> 1, n];
      let checkpoint: ReturnType<typeof wasmSha256> | undefined;
      for (let i = 0; i + 1 < cut.length; i++) {
        const piece = data.subarray(cut[i], cut[i + 1]);
        js.update(piece);
        a.update(piece);
        b.update(piece);
        b.update(piece); // b hashes every piece twice
        if (i === 0) checkpoint = a.copy();
      }
      const want = createHash("sha256").update(data).digest("hex");
      assert.equal(Buffer.from(a.digest()).toString("hex"), want, `wasm, length ${n}`);
      assert.equal(Buffer.from(js.digest()).toString("hex"), want, `js, length ${n}`);
      const twice = createHash("sha256");
      for (let i = 0; i + 1 < cut.length; i++) twice.update(data.subarray(cut[i], cut[i + 1])).update(data.subarray(cut[i], cut[i + 1]));
      assert.equal(Buffer.from(b.digest()).toString("hex"), twice.digest("hex"), `interleaved hasher, length ${n}`);
      checkpoint!.update(data.subarray(n >> 2));
      assert.equal(Buffer.from(checkpoint!.digest()).toString("hex"), want, `copy taken after the first quarter, length ${n}`);
    }
  });

  it("the WebCrypto counter adds the block number to the low 64 bits and wraps there", () => {
    const iv = new Uint8Array(16).fill(0xff);
    const c = counterAt(iv, 2);
    assert.deepEqual([...c.subarray(0, 8)], Array(8).fill(0xff));
    assert.deepEqual([...c.subarray(8)], [0, 0, 0, 0, 0, 0, 0, 1]);
  });

  for (const backend of backends) {
    describe(`${backend.name} backend`, () => {
      it("what we encrypt, matrix-encrypt-attachment (Element's) decrypts; the info is v2 with a zero counter half", async () => {
        const plain = randomBytes(300_001);
        const enc = encryptingStream(backend);
        const cipher = await through(plain, enc.stream);
        const info = await enc.info;
        assert.equal(info.v, "v2");
        assert.deepEqual(info.key.key_ops, ["encrypt", "decrypt"]);
        assert.equal(info.key.alg, "A256CTR");
        assert.ok(!/[=+/]/.test(info.key.k), "k is unpadded base64url");
        assert.ok(!info.iv.includes("=") && !info.hashes.sha256.includes("="), "unpadded base64");
        assert.deepEqual([...fromBase64(info.iv)!.subarray(8)], [0, 0, 0, 0, 0, 0, 0, 0]);
        assert.equal(enc.bytes(), plain.length);
        const back = await decryptAttachment(cipher.slice().buffer, info);
        assert.ok(Buffer.from(back).equals(plain));
      });

      it("what matrix-encrypt-attachment encrypts, we decrypt streamed", async () => {
        const plain = randomBytes(123_457);
        const { data, info } = await encryptAttachment(plain.slice().buffer);
        const parsed = parseEncryptedFile({ ...info, url: "mxc://a.test/x" });
        const back = await through(new Uint8Array(data), decryptingStream(backend, parsed, plain.length));
        assert.ok(Buffer.from(back).equals(plain));
      });

      it("a flipped ciphertext byte makes the stream fail with hash_mismatch", async () => {
        const enc = encryptingStream(backend);
        const cipher = await through(randomBytes(5000), enc.stream);
        cipher[4000]! ^= 1;
        await assert.rejects(through(cipher, decryptingStream(backend, await enc.info)), (e: unknown) => e instanceof AttachmentError && e.reason === "hash_mismatch");
      });
    });
  }

  it("both backends give the same ciphertext for the same key and iv", async () => {
    const material = { key: randomBytes(32), iv: new Uint8Array([...randomBytes(8), 0, 0, 0, 0, 0, 0, 0, 0]) };
    const plain = randomBytes(70_000);
    const a = encryptingStream(nodeBackend, material);
    const b = encryptingStream(webBackend(), material);
    const c = encryptingStream(smallChunks, material);
    const want = Buffer.from(await through(plain, a.stream));
    assert.ok(want.equals(await through(plain, b.stream)));
    assert.ok(want.equals(await through(plain, c.stream)));
    assert.deepEqual(await a.info, await b.info);
    assert.deepEqual(await a.info, await c.info);
  });

  it("parseEncryptedFile refuses what a decryptor cannot use", () => {
    const ok = { v: "v2", key: { kty: "oct", alg: "A256CTR", k: Buffer.alloc(32).toString("base64url"), key_ops: ["decrypt"], ext: true }, iv: Buffer.alloc(16).toString("base64"), hashes: { sha256: Buffer.alloc(32).toString("base64") }, url: "mxc://a/b" };
    assert.equal(parseEncryptedFile(ok).url, "mxc://a/b");
    for (const bad of [null, { ...ok, v: "v1" }, { ...ok, key: { ...ok.key, alg: "A128CTR" } }, { ...ok, iv: "AAAA" }, { ...ok, hashes: {} }, { ...ok, url: "https://x" }, { ...ok, key: { ...ok.key, k: "short" } }]) {
      assert.throws(() => parseEncryptedFile(bad), (e: unknown) => e instanceof AttachmentError && e.reason === "bad_info");
    }
  });

  it("1 GiB streamed through encryption: RSS stays flat (Node backend)", async function () {
    this.timeout(300_000);
    // In a fresh process (rss-probe.ts): in this one, every other test's garbage moves RSS too.
    const r = await runProbe<{ bytes: number; hashOk: boolean; growthMb: number; lateMb: number }>(new URL("./rss-probe.ts", import.meta.url), { args: ["1024"], timeoutMs: 280_000 });
    assert.equal(r.bytes, 1024 * 1024 * 1024);
    assert.equal(r.hashOk, true, "the ciphertext's SHA-256 is the one the stream reports");
    process.stdout.write(`      1 GiB encrypted: RSS growth ${r.growthMb.toFixed(1)} MB overall, ${r.lateMb.toFixed(1)} MB after the first 128 MiB\n`);
    // Buffering the file would grow RSS by ~1 GiB; what remains is the garbage collector's slack.
    assert.ok(r.growthMb < 256, `RSS grew ${r.growthMb.toFixed(1)} MB`);
    assert.ok(r.lateMb < 96, `RSS kept growing after 128 MiB: ${r.lateMb.toFixed(1)} MB`);
  });
});
