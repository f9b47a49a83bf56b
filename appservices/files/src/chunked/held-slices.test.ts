// The held path reads a part chunk by chunk and encrypts each chunk straight into the part's
// buffer (no whole-part plaintext): the same ciphertext as the streamed path for the same keys,
// whatever the chunks' sizes; with `freeSourceChunks` each chunk is freed once encrypted.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { nodeBackend } from "../attachments/node-backend.ts";
import { webBackend } from "../attachments/web-backend.ts";
import { ChunkedUpload, type PartSource } from "./uploader.ts";
import { downloadParts } from "./downloader.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import { memoryStateStore } from "./upload-state.ts";

const PART = 256 * 1024;

function memoryMedia() {
  const media = new Map<string, Uint8Array>();
  let n = 0;
  return {
    media,
    async create() {
      return `mxc://mem.test/m${n++}`;
    },
    async put(mxc: string, body: ReadableStream<Uint8Array>) {
      const chunks: Uint8Array[] = [];
      for await (const c of body) chunks.push(c);
      media.set(mxc, new Uint8Array(Buffer.concat(chunks)));
    },
    async get(mxc: string) {
      const d = media.get(mxc);
      if (d === undefined) throw new MediaHttpError(404, "M_NOT_FOUND", "no");
      return new Blob([d as Uint8Array<ArrayBuffer>]).stream();
    },
  } satisfies MediaTransport & Record<string, unknown>;
}

/** The part in fresh chunks of `slice` bytes (a default reader, as the web worker's), each recorded. */
const slicedSource = (data: Uint8Array, slice: number, given: Uint8Array[]): PartSource => (offset, length) => {
  let at = offset;
  const end = offset + length;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= end) return c.close();
      const chunk = new Uint8Array(data.subarray(at, Math.min(end, at + slice)));
      if (chunk.length === 0) return c.close(); // the data ends before the part
      at += chunk.length;
      given.push(chunk);
      c.enqueue(chunk);
    },
  });
};

describe("chunked uploads: held parts encrypted chunk by chunk into the part's buffer", () => {
  const data = randomBytes(3 * PART + 1234);

  /** The parts' ciphertext hashes of an upload run on the state `keys` (same keys and ivs). */
  async function hashesWith(o: { source: PartSource; holdParts: number; freeSourceChunks?: boolean }, keys?: ReturnType<ReturnType<typeof memoryStateStore>["current"]>) {
    const store = memoryStateStore();
    // the same keys and ivs, nothing sent yet (no ids, hashes or manifest)
    if (keys !== undefined) await store.save({ version: 1, name: keys.name, mimetype: keys.mimetype, size: keys.size, partSize: keys.partSize, parts: keys.parts.map((p) => ({ index: p.index, key: p.key, iv: p.iv })) });
    const transport = memoryMedia();
    const r = await new ChunkedUpload({ ...o, name: "x", mimetype: "a/b", size: data.length, transport, store, backend: webBackend(), partSize: PART, wholeFileHash: false, keepStateUntilSent: true }).start();
    const out: Uint8Array[] = [];
    await downloadParts({ manifestFile: r.manifestFile, transport, backend: nodeBackend, sink: new WritableStream({ write: (c) => void out.push(c) }), holdParts: PART });
    assert.deepEqual(Buffer.concat(out), data, "downloads verified and byte-identical");
    return { state: store.current()!, hashes: r.manifest.parts.map((p) => p.file.hashes.sha256) };
  }

  it("gives the streamed path's ciphertext for chunks of any size, and frees each chunk once encrypted (freeSourceChunks)", async () => {
    const streamed = await hashesWith({ source: slicedSource(data, PART, []), holdParts: 0 });
    for (const slice of [100_000, 65536, 17, PART]) {
      const given: Uint8Array[] = [];
      const held = await hashesWith({ source: slicedSource(data, slice, given), holdParts: PART, freeSourceChunks: true }, streamed.state);
      assert.deepEqual(held.hashes, streamed.hashes, `same ciphertext with ${slice}-byte chunks`);
      assert.ok(given.length >= 4);
      assert.deepEqual(given.filter((c) => c.byteLength !== 0).length, 0, "every chunk freed");
    }
  });

  it("leaves the source's chunks alone without freeSourceChunks", async () => {
    const given: Uint8Array[] = [];
    await hashesWith({ source: slicedSource(data, 100_000, given), holdParts: PART });
    assert.equal(given.reduce((n, c) => n + c.byteLength, 0), data.length);
  });

  it("refuses a part longer or shorter than planned (the file changed), with chunks or BYOB reads", async () => {
    const longer = randomBytes(data.length + 10);
    const start = (source: PartSource) => new ChunkedUpload({ source, name: "x", mimetype: "a/b", size: data.length, transport: memoryMedia(), store: memoryStateStore(), backend: webBackend(), partSize: PART, holdParts: PART, wholeFileHash: false, attempts: 1 }).start();
    const byob = (d: Uint8Array): PartSource => (offset, length) => new Blob([d.subarray(offset, offset + length + 10) as Uint8Array<ArrayBuffer>]).stream();
    for (const source of [slicedSource(data.subarray(0, PART - 1), 1000, []), byob(longer)]) {
      await assert.rejects(start(source), (e: unknown) => e instanceof Error && /changed since it was picked/.test(String((e as Error & { cause?: unknown }).cause ?? e)));
    }
  });
});
