// ChunkedUpload's `concurrentParts`: held parts PUT two at a time (still prepared one at a time,
// in order), byte-identical and verified downloads, a part failing for good stops the upload with
// no request left running, and the resumed run sends only the missing parts.
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { nodeBackend } from "../attachments/node-backend.ts";
import { ChunkedUpload, UploadStopped, type PartSource } from "./uploader.ts";
import { downloadParts } from "./downloader.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import { memoryStateStore } from "./upload-state.ts";

const PART = 64 * 1024;

/** In-memory media whose PUTs take a few turns of the event loop; counts the PUTs running at once. */
function slowTransport(fail?: (mxc: string) => boolean, prefix = "m", media = new Map<string, Uint8Array>()) {
  let n = 0;
  const t = {
    active: 0,
    maxActive: 0,
    async create() {
      return `mxc://mem.test/${prefix}${n++}`;
    },
    async put(mxc: string, body: ReadableStream<Uint8Array>) {
      t.active++;
      t.maxActive = Math.max(t.maxActive, t.active);
      try {
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
        if (fail?.(mxc)) throw new TypeError("fetch failed");
        const chunks: Uint8Array[] = [];
        for await (const c of body) chunks.push(c);
        media.set(mxc, new Uint8Array(Buffer.concat(chunks)));
      } finally {
        t.active--;
      }
    },
    async get(mxc: string) {
      const d = media.get(mxc);
      if (d === undefined) throw new MediaHttpError(404, "M_NOT_FOUND", "no");
      return new Blob([d as Uint8Array<ArrayBuffer>]).stream();
    },
  };
  return t satisfies MediaTransport & Record<string, unknown>;
}

const sourceOf = (data: Uint8Array): PartSource => (offset, length) => new Blob([data.subarray(offset, offset + length) as Uint8Array<ArrayBuffer>]).stream();

async function downloaded(transport: MediaTransport, manifestFile: Parameters<typeof downloadParts>[0]["manifestFile"]): Promise<Buffer> {
  const out: Uint8Array[] = [];
  await downloadParts({ manifestFile, transport, backend: nodeBackend, sink: new WritableStream({ write: (c) => void out.push(c) }), holdParts: PART });
  return Buffer.concat(out);
}

describe("chunked uploads: held parts PUT two at a time (concurrentParts)", () => {
  const data = randomBytes(6 * PART + 777);
  const opts = { source: sourceOf(data), name: "x", mimetype: "a/b", size: data.length, backend: nodeBackend, partSize: PART, holdParts: PART };

  it("has two PUTs running at once and downloads byte-identical", async () => {
    const transport = slowTransport();
    const r = await new ChunkedUpload({ ...opts, transport, store: memoryStateStore(), wholeFileHash: false, concurrentParts: 2 }).start();
    assert.equal(transport.maxActive, 2);
    assert.ok((await downloaded(transport, r.manifestFile)).equals(data));
  });

  it("keeps one PUT at a time with the whole-file hash (it needs the parts in order), verified", async () => {
    const transport = slowTransport();
    const r = await new ChunkedUpload({ ...opts, transport, store: memoryStateStore(), concurrentParts: 2 }).start();
    assert.equal(transport.maxActive, 1);
    assert.ok(r.manifest.sha256 !== undefined);
    assert.ok((await downloaded(transport, r.manifestFile)).equals(data));
  });

  it("stops with no PUT left running when a part fails for good; the resumed run sends only the missing parts", async () => {
    const store = memoryStateStore();
    const media = new Map<string, Uint8Array>();
    const broken = slowTransport((mxc) => mxc === "mxc://mem.test/m2", "m", media);
    const up = new ChunkedUpload({ ...opts, transport: broken, store, wholeFileHash: false, concurrentParts: 2, attempts: 1 });
    const e = await up.start().then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof UploadStopped && e.phase === "paused", String(e));
    assert.equal(up.phase, "paused");
    assert.equal(broken.active, 0, "no PUT left running");
    const acked = store.current()!.parts.filter((p) => p.sha256 !== undefined).map((p) => p.index);
    assert.ok(!acked.includes(2), "the failed part is not acknowledged");
    assert.ok(acked.length < 7);
    // resumed on the same media store, now working (new ids: "n…")
    const transport = slowTransport(undefined, "n", media);
    const again = new ChunkedUpload({ ...opts, transport, store, wholeFileHash: false, concurrentParts: 2 });
    const r = await again.start();
    assert.deepEqual(again.putParts.toSorted((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6].filter((i) => !acked.includes(i)));
    assert.ok((await downloaded(transport, r.manifestFile)).equals(data));
  });
});
