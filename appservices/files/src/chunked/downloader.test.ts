import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { nodeBackend } from "../attachments/node-backend.ts";
import { encryptingStream } from "../attachments/attachment-stream.ts";
import type { EncryptedFile } from "../attachments/encrypted-file.ts";
import { ChunkedUpload, type PartSource } from "./uploader.ts";
import { DownloadIntegrityError, downloadAttachment, downloadParts, memorySpool, pooledScratch, type RetryInfo } from "./downloader.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import { memoryStateStore } from "./upload-state.ts";

/** Media in memory whose reads can be cut once after `cutAfter` bytes of a given mxc; counts requests. */
function cuttingTransport(withRange: boolean, bytes = false) {
  const media = new Map<string, Uint8Array>();
  let n = 0;
  const t = {
    media,
    cut: undefined as { mxc: string; after: number; clean?: boolean } | undefined,
    requests: [] as { mxc: string; from: number }[],
    async create() {
      return `mxc://mem.test/d${n++}`;
    },
    async put(mxc: string, body: ReadableStream<Uint8Array>) {
      media.set(mxc, new Uint8Array(await new Response(body).arrayBuffer()));
    },
    async get(mxc: string) {
      return t.serve(mxc, 0);
    },
    serve(mxc: string, from: number): ReadableStream<Uint8Array> {
      t.requests.push({ mxc, from });
      const d = media.get(mxc);
      if (d === undefined) throw new MediaHttpError(404, "M_NOT_FOUND", "no");
      const cut = t.cut?.mxc === mxc ? t.cut : undefined;
      if (cut) t.cut = undefined;
      let o = from;
      // `bytes`: a byte stream, as a browser's fetch body (the downloader reads it with a BYOB reader)
      type Controller = { close(): void; error(e: unknown): void; enqueue(b: Uint8Array<ArrayBuffer>): void; byobRequest?: { respond(n: number): void } | null };
      // a byte stream closed under a pending BYOB read must answer it with 0 bytes
      const close = (c: Controller): void => (c.close(), c.byobRequest?.respond(0));
      const pull = (c: Controller): void => {
        if (cut && o >= cut.after) return cut.clean ? close(c) : c.error(new TypeError("network error"));
        if (o >= d.length) return close(c);
        const end = Math.min(d.length, o + 1000, cut ? cut.after : Infinity);
        c.enqueue(d.slice(o, end));
        o = end;
      };
      return bytes ? new ReadableStream({ type: "bytes", pull }) : new ReadableStream<Uint8Array>({ pull });
    },
  };
  const transport: MediaTransport = withRange ? { ...t, getFrom: async (mxc, from) => t.serve(mxc, from) } : t;
  return { t, transport };
}

const sourceOf = (data: Uint8Array): PartSource => (offset, length) => new Blob([data.subarray(offset, offset + length) as Uint8Array<ArrayBuffer>]).stream();
const sha = (d: Uint8Array) => createHash("sha256").update(d).digest("hex");

function collect() {
  const out: Uint8Array[] = [];
  let aborted = false;
  let closed = false;
  const sink = new WritableStream<Uint8Array>({ write: (c) => void out.push(c.slice()), close: () => void (closed = true), abort: () => void (aborted = true) });
  return { sink, data: () => new Uint8Array(Buffer.concat(out)), state: () => ({ aborted, closed }) };
}

async function uploaded(transport: MediaTransport, data: Uint8Array) {
  return new ChunkedUpload({ source: sourceOf(data), name: "x.bin", mimetype: "a/b", size: data.length, transport, store: memoryStateStore(), backend: nodeBackend, partSize: 16 * 1024 }).start();
}

describe("chunked downloader: parts read as Blobs (getBlob, as browsers do)", () => {
  /** The cutting transport with getBlob: a reset rejects (its bytes are lost), a clean early close gives a shorter Blob. */
  function blobTransport() {
    const { t, transport } = cuttingTransport(true, true);
    const blobs: { mxc: string; from: number }[] = [];
    const getBlob = async (mxc: string, from: number): Promise<Blob> => {
      blobs.push({ mxc, from });
      return new Response(t.serve(mxc, from)).blob();
    };
    return { t, transport: { ...transport, getBlob } satisfies MediaTransport, blobs };
  }

  it("every part comes through getBlob, byte-identical, progress up to the size", async () => {
    const data = randomBytes(4 * 16 * 1024 + 77);
    const { transport, blobs } = blobTransport();
    const up = await uploaded(transport, data);
    const out = collect();
    const progress: number[] = [];
    await downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, holdParts: 1024 * 1024, sink: out.sink, onProgress: (r) => progress.push(r) });
    assert.equal(sha(out.data()), sha(data));
    assert.equal(blobs.length, 5, "the five parts as Blobs (the manifest is streamed)");
    assert.equal(progress.at(-1), data.length);
  });

  /** Downloads 5 parts through a slow sink, noting when each part's Blob is asked for and when its bytes are read (stream()), in bytes written by then. */
  async function watchReads(heldBuffers: 1 | 2 | undefined) {
    const data = randomBytes(4 * 16 * 1024 + 77);
    const { transport } = blobTransport();
    const up = await uploaded(transport, data);
    let written = 0;
    // a slow disk: each write takes turns of the event loop, time enough for the next part's Blob to come
    const sink = new WritableStream<Uint8Array>({
      async write(c) {
        for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
        written += c.length;
      },
    });
    const asked: { part: number; written: number }[] = [];
    const read: { part: number; written: number }[] = [];
    const partOf = (mxc: string): number => up.manifest.parts.findIndex((p) => p.file.url === mxc);
    const watching: MediaTransport = {
      ...transport,
      getBlob: async (mxc, from) => {
        const part = partOf(mxc);
        asked.push({ part, written });
        const blob = await transport.getBlob!(mxc, from);
        // the Blob's bytes reach the page's buffer through stream(): note when
        return { size: blob.size, stream: () => (read.push({ part, written }), blob.stream()) } as unknown as Blob;
      },
    };
    await downloadParts({ manifestFile: up.manifestFile, transport: watching, backend: nodeBackend, holdParts: 1024 * 1024, ...(heldBuffers === undefined ? {} : { heldBuffers }), sink });
    assert.equal(written, data.length);
    const before = (part: number): number => up.manifest.parts.slice(0, part).reduce((a, p) => a + p.size, 0);
    assert.deepEqual(read.map((r) => r.part), [0, 1, 2, 3, 4]);
    // asked ahead either way: part k's request is made before part k-1 is written
    for (const a of asked.slice(1)) assert.ok(a.written < before(a.part), `part ${a.part} asked at ${a.written} bytes written`);
    return { read, before };
  }

  it("heldBuffers 1, one part in memory at a time: the next part's request goes ahead, but its bytes are read only once this part is written", async () => {
    const { read, before } = await watchReads(1);
    for (const r of read) assert.equal(r.written, before(r.part), `part ${r.part} read into the buffer once the parts before it are written`);
  });

  it("by default (two buffers) the next part's bytes are read while this part is written", async () => {
    const { read, before } = await watchReads(undefined);
    assert.ok(read.slice(1).some((r) => r.written < before(r.part)), JSON.stringify(read));
  });

  it("a part closed early goes on from the byte where it stopped (Range); after a reset the part streams from there", async () => {
    const data = randomBytes(4 * 16 * 1024 + 77);
    const { t, transport, blobs } = blobTransport();
    const up = await uploaded(transport, data);
    const [p1, p2] = [up.manifest.parts[1]!.file.url, up.manifest.parts[2]!.file.url];
    const out = collect();
    const retries: RetryInfo[] = [];
    t.cut = { mxc: p1, after: 5000, clean: true };
    let cutNext = true;
    const getBlob = transport.getBlob;
    const cutting: MediaTransport = { ...transport, getBlob: async (mxc, from) => {
      if (mxc === p2 && cutNext) {
        cutNext = false;
        t.cut = { mxc: p2, after: 9000 };
      }
      return getBlob(mxc, from);
    } };
    await downloadParts({ manifestFile: up.manifestFile, transport: cutting, backend: nodeBackend, holdParts: 1024 * 1024, sink: out.sink, attempts: 3, retryDelayMs: 1, onRetry: (r) => retries.push(r) });
    assert.equal(sha(out.data()), sha(data));
    assert.deepEqual(blobs.filter((b) => b.mxc === p1).map((b) => b.from), [0, 5000]);
    assert.deepEqual(blobs.filter((b) => b.mxc === p2).map((b) => b.from), [0], "a reset Blob request is not asked again as a Blob");
    assert.deepEqual(t.requests.filter((r) => r.mxc === p2).map((r) => r.from), [0, 0], "the Blob's request, then the part streamed");
    assert.deepEqual(retries.map((r) => [r.part, r.resumeAt]), [[1, 5000], [2, 0]]);
  });

  it("a link cut every 5,000 bytes still gets a 16 KiB part through: after the first reset each attempt resumes from the byte reached", async () => {
    const data = randomBytes(2 * 16 * 1024);
    const { t, transport, blobs } = blobTransport();
    const up = await uploaded(transport, data);
    const cutEvery = (mxc: string, from: number): void => {
      if (mxc !== up.manifestFile.url) t.cut = { mxc, after: from + 5000 };
    };
    const flaky: MediaTransport = {
      ...transport,
      getFrom: async (mxc, from) => (cutEvery(mxc, from), t.serve(mxc, from)),
      getBlob: async (mxc, from) => (cutEvery(mxc, from), transport.getBlob!(mxc, from)),
    };
    const out = collect();
    const progress: number[] = [];
    await downloadParts({ manifestFile: up.manifestFile, transport: flaky, backend: nodeBackend, holdParts: 1024 * 1024, sink: out.sink, attempts: 6, retryDelayMs: 1, onProgress: (r) => progress.push(r) });
    assert.equal(sha(out.data()), sha(data));
    assert.equal(blobs.length, 2, "one Blob attempt per part");
    assert.equal(progress.at(-1), data.length);
  });

  it("a Blob whose reading fails mid-way (its buffer transferred) does not lose the part: it streams again from its start", async () => {
    const data = randomBytes(2 * 16 * 1024);
    const { transport } = blobTransport();
    const up = await uploaded(transport, data);
    const p0 = up.manifest.parts[0]!.file.url;
    let failOnce = true;
    const failing: MediaTransport = {
      ...transport,
      getBlob: async (mxc, from) => {
        const blob = await transport.getBlob!(mxc, from);
        if (mxc !== p0 || !failOnce) return blob;
        failOnce = false;
        // Blob.stream() erroring after 6,000 bytes (a disk-backed Blob's NotReadableError)
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let o = 0;
        const stream = (): ReadableStream<Uint8Array> => new ReadableStream({
          type: "bytes",
          pull: (ctl) => {
            if (o >= 6000) return ctl.error(new TypeError("NotReadableError"));
            ctl.enqueue(bytes.slice(o, o + 3000));
            o += 3000;
          },
        });
        return { size: blob.size, stream } as unknown as Blob;
      },
    };
    const out = collect();
    const progress: number[] = [];
    await downloadParts({ manifestFile: up.manifestFile, transport: failing, backend: nodeBackend, holdParts: 1024 * 1024, sink: out.sink, attempts: 3, retryDelayMs: 1, onProgress: (r) => progress.push(r) });
    assert.equal(failOnce, false);
    assert.equal(sha(out.data()), sha(data));
    assert.equal(progress.at(-1), data.length, "progress taken back for the lost bytes, then up to the size");
  });

  it("a tampered part fails its hash check before a byte of it is written", async () => {
    const data = randomBytes(3 * 16 * 1024);
    const { t, transport } = blobTransport();
    const up = await uploaded(transport, data);
    const p1 = up.manifest.parts[1]!.file.url;
    t.media.get(p1)![100]! ^= 1;
    const out = collect();
    await assert.rejects(downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, holdParts: 1024 * 1024, sink: out.sink }), (e: unknown) => e instanceof DownloadIntegrityError && e.part === 1);
    assert.equal(out.data().length, 16 * 1024, "part 0 only");
    assert.equal(out.state().aborted, true);
  });
});

for (const [hold, bytes] of [[0, false], [1024 * 1024, false], [1024 * 1024, true]] as const) describe(`chunked downloader: resume after a cut, verify before writing (${hold > 0 ? `parts held in memory, one-shot digest${bytes ? ", BYOB reads" : ""}` : "streamed"})`, () => {
  for (const withRange of [true, false]) {
    it(`a part cut mid-way is fetched again from the byte where it stopped (${withRange ? "Range" : "re-fetch, bytes skipped"}), byte-identical`, async () => {
      const data = randomBytes(4 * 16 * 1024 + 77);
      const { t, transport } = cuttingTransport(withRange, bytes);
      const up = await uploaded(transport, data);
      const part2 = up.manifest.parts[2]!.file.url;
      t.cut = { mxc: part2, after: 9000 };
      t.requests.length = 0;
      const retries: RetryInfo[] = [];
      const progress: number[] = [];
      const out = collect();
      await downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, holdParts: hold, sink: out.sink, attempts: 3, retryDelayMs: 1, onRetry: (r) => retries.push(r), onProgress: (r) => progress.push(r), spool: memorySpool });
      assert.equal(sha(out.data()), sha(data));
      assert.deepEqual(out.state(), { aborted: false, closed: true });
      assert.deepEqual(retries.map((r) => [r.part, r.resumeAt, r.attempt]), [[2, 9000, 1]]);
      const again = t.requests.filter((r) => r.mxc === part2);
      assert.deepEqual(again.map((r) => r.from), withRange ? [0, 9000] : [0, 0]);
      assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), "progress never goes back");
      assert.equal(progress.at(-1), data.length);
    });
  }

  it("a part whose connection closes cleanly but early is resumed from where it stopped", async () => {
    const data = randomBytes(2 * 16 * 1024);
    const { t, transport } = cuttingTransport(true, bytes);
    const up = await uploaded(transport, data);
    const part1 = up.manifest.parts[1]!.file.url;
    t.cut = { mxc: part1, after: 5000, clean: true };
    t.requests.length = 0;
    const out = collect();
    await downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, holdParts: hold, sink: out.sink, attempts: 2, retryDelayMs: 1, spool: memorySpool });
    assert.equal(sha(out.data()), sha(data));
    assert.deepEqual(t.requests.filter((r) => r.mxc === part1).map((r) => r.from), [0, 5000]);
  });

  it("without attempts (the default) a cut fails the download and aborts the sink", async () => {
    const data = randomBytes(3 * 16 * 1024);
    const { t, transport } = cuttingTransport(true, bytes);
    const up = await uploaded(transport, data);
    t.cut = { mxc: up.manifest.parts[1]!.file.url, after: 100 };
    const out = collect();
    await assert.rejects(downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, holdParts: hold, sink: out.sink }), TypeError);
    assert.equal(out.state().aborted, true);
  });

  it("with a spool, a tampered part reaches the sink not at all: only the parts before it, then abort", async () => {
    const data = randomBytes(3 * 16 * 1024);
    const { t, transport } = cuttingTransport(true, bytes);
    const up = await uploaded(transport, data);
    t.media.get(up.manifest.parts[1]!.file.url)![16_000]! ^= 1;
    const out = collect();
    await assert.rejects(
      downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, holdParts: hold, sink: out.sink, spool: memorySpool, attempts: 3, retryDelayMs: 1 }),
      (e: unknown) => e instanceof DownloadIntegrityError && e.reason === "hash_mismatch" && e.part === 1,
    );
    assert.equal(out.state().aborted, true);
    assert.equal(sha(out.data()), sha(data.subarray(0, 16 * 1024)), "the sink got part 0 and nothing of part 1");
    // streamed parts stop at once; held parts may have read part 2 ahead (never written)
    if (hold === 0) assert.equal(t.requests.filter((r) => r.mxc === up.manifest.parts[2]!.file.url).length, 0, "part 2 never fetched");
  });

  it("a single attachment resumes too, and its size is checked", async () => {
    const data = randomBytes(50_000);
    const { t, transport } = cuttingTransport(true, bytes);
    const enc = encryptingStream(nodeBackend);
    await transport.put("mxc://mem.test/one", new Blob([data]).stream().pipeThrough(enc.stream), data.length);
    const file: EncryptedFile = { ...(await enc.info), url: "mxc://mem.test/one" };
    t.cut = { mxc: file.url, after: 20_000 };
    const out = collect();
    await downloadAttachment({ file, size: data.length, transport, backend: nodeBackend, holdParts: hold, sink: out.sink, spool: memorySpool, attempts: 2, retryDelayMs: 1 });
    assert.equal(sha(out.data()), sha(data));
    assert.deepEqual(t.requests.map((r) => r.from), [0, 20_000]);
    const short = collect();
    // One byte fewer than announced: taken for a connection closed early (resumable), not accepted.
    await assert.rejects(downloadAttachment({ file, size: data.length + 1, transport, backend: nodeBackend, holdParts: hold, sink: short.sink }), (e: unknown) => e instanceof MediaHttpError && /closed after 50000 of 50001/.test(e.message));
    assert.equal(short.state().aborted, true);
  });
});

describe("downloader: scratch pool", () => {
  it("skips a detached scratch (a BYOB read cancelled while pending returns its buffer transferred): gathering into it would never progress", () => {
    const kept = new Uint8Array(8);
    const detached = new Uint8Array(16);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assert.equal(detached.byteLength, 0);
    const pool = { scratches: [kept, detached] };
    assert.equal(pooledScratch(pool), kept, "the detached one is dropped, the next usable one taken");
    assert.deepEqual(pool.scratches, []);
    assert.equal(pooledScratch(pool).byteLength, 1024 * 1024, "an empty pool gives a new MiB");
  });
});
