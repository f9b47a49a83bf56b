import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { nodeBackend } from "../attachments/node-backend.ts";
import { webBackend } from "../attachments/web-backend.ts";
import { ChunkedUpload, UploadRelay, UploadStopped, uploadedResult, type PartSource, type UploadProgress } from "./uploader.ts";
import { downloadParts } from "./downloader.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import { memoryStateStore, parseUploadState } from "./upload-state.ts";
import { ManifestError, parseManifest, planParts, PARTS_CONTENT_KEY } from "./manifest.ts";

/** A media repository in memory, with switches to fail requests. */
function memoryTransport() {
  const media = new Map<string, Uint8Array | "pending" | "claimed">();
  let n = 0;
  const t = {
    media,
    failPut: undefined as ((mxc: string, attempt: number) => "before" | "midway" | "claim-lost" | undefined) | undefined,
    puts: 0,
    async create() {
      const mxc = `mxc://mem.test/m${n++}`;
      media.set(mxc, "pending");
      return mxc;
    },
    async put(mxc: string, body: ReadableStream<Uint8Array>, length: number, signal?: AbortSignal) {
      t.puts++;
      if (media.get(mxc) !== "pending") throw new MediaHttpError(409, "M_CANNOT_OVERWRITE_MEDIA", "already");
      const how = t.failPut?.(mxc, t.puts);
      if (how === "before") throw new TypeError("fetch failed");
      const parts: Uint8Array[] = [];
      let got = 0;
      for await (const c of body) {
        signal?.throwIfAborted();
        parts.push(c);
        got += c.length;
        if (how !== undefined && got > length / 2) {
          // "claim-lost": the server died mid-PUT and the id stays claimed (a retry gets 409)
          if (how === "claim-lost") media.set(mxc, "claimed");
          throw new TypeError("socket hang up");
        }
      }
      media.set(mxc, new Uint8Array(Buffer.concat(parts)));
    },
    async get(mxc: string) {
      const d = media.get(mxc);
      if (!(d instanceof Uint8Array)) throw new MediaHttpError(404, "M_NOT_FOUND", "no");
      return new Blob([d as Uint8Array<ArrayBuffer>]).stream();
    },
  };
  return t satisfies MediaTransport & Record<string, unknown>;
}

const sourceOf = (data: Uint8Array): PartSource => (offset, length) => new Blob([data.subarray(offset, offset + length) as Uint8Array<ArrayBuffer>]).stream();
const sha = (d: Uint8Array) => createHash("sha256").update(d).digest("hex");

async function download(transport: MediaTransport, manifestFile: Parameters<typeof downloadParts>[0]["manifestFile"], hold: number) {
  const out: Uint8Array[] = [];
  let aborted = false;
  const sink = new WritableStream<Uint8Array>({ write: (c) => void out.push(c), abort: () => void (aborted = true) });
  const result = await downloadParts({ manifestFile, transport, backend: nodeBackend, sink, holdParts: hold }).then((m) => ({ m }), (e: unknown) => ({ e }));
  return { data: new Uint8Array(Buffer.concat(out)), aborted, ...result };
}

for (const hold of [0, 1024 * 1024]) describe(`chunked large files (in-memory media; ${hold > 0 ? "parts held in memory, one-shot digest" : "streamed parts"})`, () => {
  it("plans parts that tile the file", () => {
    assert.deepEqual(planParts(0, 16), [{ index: 0, offset: 0, size: 0 }]);
    assert.deepEqual(planParts(40, 16).map((p) => p.size), [16, 16, 8]);
    assert.throws(() => planParts(10, 15), RangeError);
  });

  for (const backend of [nodeBackend, webBackend()]) {
    it(`uploads in parts and downloads byte-identical, verified (${backend.name})`, async () => {
      const data = randomBytes(5 * 65536 + 1234);
      const transport = memoryTransport();
      const up = new ChunkedUpload({ source: sourceOf(data), name: "étude.bin", mimetype: "application/octet-stream", size: data.length, transport, store: memoryStateStore(), backend, partSize: 65536, holdParts: hold });
      const progress: UploadProgress[] = [];
      up.addEventListener("progress", (e) => progress.push((e as CustomEvent<UploadProgress>).detail));
      const r = await up.start();
      assert.equal(up.phase, "done");
      assert.equal(r.manifest.parts.length, 6);
      assert.deepEqual(up.putParts, [0, 1, 2, 3, 4, 5]);
      assert.equal((r.content[PARTS_CONTENT_KEY] as { size: number }).size, data.length);
      assert.equal(progress.at(-1)?.sentBytes, data.length);
      assert.equal(progress.at(-1)?.partsDone, 6);
      assert.ok(progress.every((p, i) => i === 0 || p.sentBytes >= progress[i - 1]!.sentBytes), "progress never goes back without failures");
      // every part is a separate ciphertext with its own key
      assert.equal(new Set(r.manifest.parts.map((p) => p.file.key.k)).size, 6);
      const d = await download(transport, r.manifestFile, hold);
      assert.equal(sha(d.data), sha(data));
      assert.ok("m" in d, `the download verified (whole-file hash included): ${"e" in d ? String(d.e) : ""}`);
    });
  }

  it("held parts read from a byte stream in small pieces (many BYOB reads per part) come back byte-identical", async () => {
    const data = new Uint8Array(randomBytes(3 * 256 * 1024 + 1234)); // a Uint8Array: slice() copies (enqueue detaches)
    // a byte stream handing out at most 1000 bytes per read, as a browser's Blob.stream() would in pieces
    const source: PartSource = (offset, length) => {
      let at = offset;
      const end = offset + length;
      return new ReadableStream({
        type: "bytes",
        pull(c) {
          if (at >= end) return (c.close(), c.byobRequest?.respond(0));
          const n = Math.min(1000, end - at);
          c.enqueue(data.slice(at, at + n));
          at += n;
        },
      }) as ReadableStream<Uint8Array>;
    };
    const transport = memoryTransport();
    const r = await new ChunkedUpload({ source, name: "x", mimetype: "a/b", size: data.length, transport, store: memoryStateStore(), backend: webBackend(), partSize: 256 * 1024, holdParts: hold }).start();
    const d = await download(transport, r.manifestFile, hold);
    assert.equal(sha(d.data), sha(data));
    assert.ok("m" in d, "the download verified (whole-file hash included)");
  });

  it("a network cut mid-part is retried; past the attempts the upload pauses, and a new uploader on the same state sends only the missing parts", async () => {
    const data = randomBytes(8 * 65536);
    const transport = memoryTransport();
    const store = memoryStateStore();
    const opts = { source: sourceOf(data), name: "x", mimetype: "application/pdf", size: data.length, transport, store, backend: nodeBackend, partSize: 65536, holdParts: hold, attempts: 2, retryDelayMs: 1 };
    // part 3 is cut (server died mid-PUT, id maybe left claimed): its retry takes a new id (m4),
    // cut too: with 2 attempts the upload gives up and pauses
    transport.failPut = (mxc) => (mxc === "mxc://mem.test/m3" || mxc === "mxc://mem.test/m4" ? "claim-lost" : undefined);
    const first = new ChunkedUpload(opts);
    const phases: string[] = [];
    first.addEventListener("phase", (e) => phases.push(JSON.stringify((e as CustomEvent).detail)));
    await assert.rejects(first.start(), (e: unknown) => e instanceof UploadStopped && e.phase === "paused");
    assert.equal(first.phase, "paused");
    assert.ok(phases.includes(JSON.stringify({ phase: "paused", reason: "network" })), phases.join());
    assert.deepEqual(first.putParts, [0, 1, 2, 3, 3]);
    assert.deepEqual(store.current()?.parts.map((p) => p.sha256 !== undefined), [true, true, true, false, false, false, false, false]);
    // "restart": a new object from the persisted state
    const second = new ChunkedUpload(opts);
    const r = await second.start();
    // the cut id was dropped from the state: part 3 goes once on a new id, then the others once each
    assert.deepEqual(second.putParts, [3, 4, 5, 6, 7]);
    assert.equal(store.current(), undefined, "state cleared when done");
    const d = await download(transport, r.manifestFile, hold);
    assert.equal(sha(d.data), sha(data));
    assert.ok("m" in d, "the download verified (whole-file hash included)");
  });

  it("pause stops at once and resume continues; cancel clears the state", async () => {
    const data = randomBytes(6 * 65536);
    const transport = memoryTransport();
    const store = memoryStateStore();
    const up = new ChunkedUpload({ source: sourceOf(data), name: "x", mimetype: "a/b", size: data.length, transport, store, backend: nodeBackend, partSize: 65536, holdParts: hold });
    up.addEventListener("progress", (e) => {
      if ((e as CustomEvent<UploadProgress>).detail.sentBytes >= 2 * 65536 + 100) up.pause();
    });
    await assert.rejects(up.start(), (e: unknown) => e instanceof UploadStopped && e.phase === "paused");
    const done = store.current()!.parts.filter((p) => p.sha256 !== undefined).length;
    assert.equal(done, 2);
    const again = new ChunkedUpload({ source: sourceOf(data), name: "x", mimetype: "a/b", size: data.length, transport, store, backend: nodeBackend, partSize: 65536, holdParts: hold });
    const r = await again.start();
    assert.deepEqual(again.putParts, [2, 3, 4, 5]);
    assert.equal(sha((await download(transport, r.manifestFile, hold)).data), sha(data));

    const c = new ChunkedUpload({ source: sourceOf(data), name: "y", mimetype: "a/b", size: data.length, transport, store, backend: nodeBackend, partSize: 65536, holdParts: hold });
    c.addEventListener("progress", () => void c.cancel());
    await assert.rejects(c.start(), (e: unknown) => e instanceof UploadStopped && e.phase === "cancelled");
    assert.equal(store.current(), undefined);
  });

  it("with keepStateUntilSent the state outlives the manifest: a later start (or the state alone, after a reload) gives the same message, nothing sent again", async () => {
    const data = randomBytes(3 * 65536 + 7);
    const transport = memoryTransport();
    const store = memoryStateStore();
    const opts = { source: sourceOf(data), name: "étude.bin", mimetype: "a/b", size: data.length, store, backend: nodeBackend, partSize: 65536, holdParts: hold, keepStateUntilSent: true };
    const r = await new ChunkedUpload({ ...opts, transport }).start();
    const kept = store.current();
    assert.ok(kept?.manifest, "the state is kept with the manifest's upload");
    // the page reloads: the state comes back through JSON (localStorage) and its parser
    const reloaded = parseUploadState(JSON.parse(JSON.stringify(kept)));
    assert.deepEqual(uploadedResult(reloaded!)?.content, r.content);
    const nothing: MediaTransport = {
      create: () => Promise.reject(new Error("nothing to create")), put: () => Promise.reject(new Error("nothing to PUT")), get: () => Promise.reject(new Error("no GET")),
    };
    const again = new ChunkedUpload({ ...opts, transport: nothing });
    assert.deepEqual((await again.start()).content, r.content);
    assert.deepEqual(again.putParts, []);
    assert.equal(sha((await download(transport, r.manifestFile, hold)).data), sha(data));
    // a damaged manifest record makes the state unusable rather than a wrong message
    assert.equal(parseUploadState({ ...JSON.parse(JSON.stringify(kept)), manifest: { file: { v: "v2" }, length: 3 } }), undefined);
  });

  it("a tampered part fails the download and aborts the sink", async () => {
    const data = randomBytes(3 * 65536);
    const transport = memoryTransport();
    const r = await new ChunkedUpload({ source: sourceOf(data), name: "x", mimetype: "a/b", size: data.length, transport, store: memoryStateStore(), backend: nodeBackend, partSize: 65536, holdParts: hold }).start();
    const stored = transport.media.get(r.manifest.parts[1]!.file.url) as Uint8Array;
    stored[10]! ^= 1;
    const d = await download(transport, r.manifestFile, hold);
    assert.ok("e" in d && d.aborted);
  });

  it("with partsPerRun each run stops after that many parts, all answered and saved (UploadRelay); fresh uploaders on the state send every part exactly once, none read ahead across a relay", async () => {
    const data = randomBytes(7 * 65536 + 100);
    const transport = memoryTransport();
    const store = memoryStateStore();
    const read: number[] = [];
    const source: PartSource = (offset, length) => (read.push(offset / 65536), sourceOf(data)(offset, length));
    const opts = { source, name: "x", mimetype: "a/b", size: data.length, transport, store, backend: webBackend(), partSize: 65536, holdParts: hold, wholeFileHash: false, concurrentParts: 2, partsPerRun: 3 };
    const runs: number[][] = [];
    let r: Awaited<ReturnType<ChunkedUpload["start"]>> | undefined;
    while (r === undefined) {
      read.length = 0;
      const up = new ChunkedUpload(opts);
      const phases: string[] = [];
      up.addEventListener("phase", (e) => phases.push((e as CustomEvent<{ phase: string }>).detail.phase));
      r = await up.start().catch((e: unknown) => {
        assert.ok(e instanceof UploadRelay, String(e));
        assert.deepEqual(phases, ["uploading"], "a relay emits no paused phase");
        return undefined;
      });
      runs.push([...read]);
      assert.ok(runs.length <= 3);
    }
    assert.deepEqual(runs, [[0, 1, 2], [3, 4, 5], [6, 7]]);
    assert.equal(transport.puts, 8 + 1, "8 parts and the manifest, each PUT once");
    const d = await download(transport, r.manifestFile, hold);
    assert.ok("m" in d, `verified: ${"e" in d ? String(d.e) : ""}`);
    assert.equal(sha(d.data), sha(data));
  });

  it("a pause while a relayed run's last parts are in flight stops as a pause (not a relay)", async () => {
    const data = randomBytes(4 * 65536);
    const transport = memoryTransport();
    const store = memoryStateStore();
    const opts = { source: sourceOf(data), name: "x", mimetype: "a/b", size: data.length, transport, store, backend: webBackend(), partSize: 65536, holdParts: hold, wholeFileHash: false, concurrentParts: 2, partsPerRun: 2 };
    const up = new ChunkedUpload(opts);
    const put = transport.put;
    transport.put = async (...a: Parameters<typeof put>) => {
      up.pause(); // asked while the run's parts are on their way
      return put(...a);
    };
    const phases: string[] = [];
    up.addEventListener("phase", (e) => phases.push((e as CustomEvent<{ phase: string }>).detail.phase));
    await assert.rejects(up.start(), (e: unknown) => e instanceof UploadStopped && e.phase === "paused");
    assert.equal(phases.at(-1), "paused");
    transport.put = put;
    const r = await new ChunkedUpload({ ...opts, partsPerRun: Infinity }).start();
    const d = await download(transport, r.manifestFile, hold);
    assert.equal(sha(d.data), sha(data));
  });

  it("without the whole-file hash (the web client's uploads): no sha256 in the manifest, downloads verify every part, a resume does not read acknowledged parts again", async () => {
    const data = randomBytes(4 * 65536 + 100);
    const transport = memoryTransport();
    const store = memoryStateStore();
    const read: number[] = [];
    const source: PartSource = (offset, length) => (read.push(offset / 65536), sourceOf(data)(offset, length));
    const opts = { source, name: "x", mimetype: "a/b", size: data.length, transport, store, backend: nodeBackend, partSize: 65536, holdParts: hold, wholeFileHash: false };
    const first = new ChunkedUpload(opts);
    first.addEventListener("progress", (e) => {
      if ((e as CustomEvent<UploadProgress>).detail.sentBytes >= 2 * 65536 + 100) first.pause();
    });
    await assert.rejects(first.start(), (e: unknown) => e instanceof UploadStopped && e.phase === "paused");
    read.length = 0;
    const r = await new ChunkedUpload(opts).start();
    assert.equal(Math.min(...read), 2, `acknowledged parts 0 and 1 not read again (read: ${read.join()})`);
    assert.equal(r.manifest.sha256, undefined);
    const d = await download(transport, r.manifestFile, hold);
    assert.ok("m" in d, `verified: ${"e" in d ? String(d.e) : ""}`);
    assert.equal(d.m.sha256, undefined);
    assert.equal(sha(d.data), sha(data));
    // every part is still checked
    (transport.media.get(r.manifest.parts[3]!.file.url) as Uint8Array)[5]! ^= 1;
    const bad = await download(transport, r.manifestFile, hold);
    assert.ok("e" in bad && bad.aborted, "a damaged part still fails the download");
  });

  it("parseManifest refuses parts that do not tile the file", () => {
    const file = { v: "v2", url: "mxc://a/b", iv: "AAAAAAAAAAAAAAAAAAAAAA", hashes: { sha256: "A".repeat(43) }, key: { kty: "oct", alg: "A256CTR", k: "A".repeat(43), key_ops: ["encrypt", "decrypt"], ext: true } };
    const ok = { type: "fr.entente.file.parts", version: 1, name: "n", mimetype: "m", size: 20, part_size: 16, sha256: "x", parts: [{ index: 0, offset: 0, size: 16, file }, { index: 1, offset: 16, size: 4, file }] };
    assert.equal(parseManifest(ok).parts.length, 2);
    assert.throws(() => parseManifest({ ...ok, size: 40 }), ManifestError);
    assert.throws(() => parseManifest({ ...ok, parts: [ok.parts[1], ok.parts[0]] }), ManifestError);
    assert.throws(() => parseManifest({ ...ok, version: 2 }), ManifestError);
    // the whole-file hash is optional (older manifests have it), but a string when present
    const { sha256: _, ...noHash } = ok;
    assert.equal(parseManifest(noHash).sha256, undefined);
    assert.equal(parseManifest(ok).sha256, "x");
    assert.throws(() => parseManifest({ ...ok, sha256: 12 }), ManifestError);
  });
});
