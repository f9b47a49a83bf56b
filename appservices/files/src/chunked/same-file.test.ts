import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { nodeBackend } from "../attachments/node-backend.ts";
import { webBackend } from "../attachments/web-backend.ts";
import { ChunkedUpload, type PartSource } from "./uploader.ts";
import type { MediaTransport } from "./media-transport.ts";
import { memoryStateStore } from "./upload-state.ts";
import { checkSameFile } from "./same-file.ts";

const sourceOf = (data: Uint8Array): PartSource => (offset, length) => new Blob([data.subarray(offset, offset + length) as Uint8Array<ArrayBuffer>]).stream();

/** Accepts `okPuts` PUTs, then fails every one (the upload pauses with parts acknowledged). */
function failingAfter(okPuts: number): MediaTransport {
  let n = 0;
  let puts = 0;
  return {
    create: async () => `mxc://mem.test/m${n++}`,
    async put(_mxc, body) {
      if (++puts > okPuts) throw new TypeError("fetch failed");
      for await (const c of body) void c;
    },
    get: async () => { throw new Error("not used"); },
  };
}

describe("checkSameFile (resuming an upload with a file picked again)", () => {
  for (const backend of [nodeBackend, webBackend()]) {
    it(`recognises the file by the first acknowledged part's ciphertext hash (${backend.name})`, async () => {
      const partSize = 64 * 1024;
      const data = randomBytes(partSize * 3 + 100);
      const store = memoryStateStore();
      const up = new ChunkedUpload({ source: sourceOf(data), name: "f.bin", mimetype: "application/octet-stream", size: data.length, partSize, transport: failingAfter(1), store, backend, attempts: 1, retryDelayMs: 1 });
      await assert.rejects(up.start());
      const state = store.current();
      assert.ok(state);
      assert.equal(state.parts.filter((p) => p.sha256 !== undefined).length, 1, "part 0 acknowledged");
      assert.equal(await checkSameFile(state, data.length, sourceOf(data), backend), "same");
      const other = Buffer.from(data);
      other[1000] = other[1000]! ^ 1;
      assert.equal(await checkSameFile(state, data.length, sourceOf(other), backend), "different-content", "one byte differs in the acknowledged part");
      assert.equal(await checkSameFile(state, data.length - 1, sourceOf(data.subarray(1)), backend), "different-size");
      assert.equal(await checkSameFile({ ...state, parts: state.parts.map(({ sha256: _, ...p }) => p) }, data.length, sourceOf(other), backend), "nothing-to-compare");
    });
  }
});
