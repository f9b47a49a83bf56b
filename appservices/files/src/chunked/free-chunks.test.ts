// Chunks freed as soon as they are used (issue 15, Node): on a VM where a fresh page costs a fault,
// buffers left to the garbage collector made the client touch ≈ 250 k fresh pages per GiB
// uploaded. The uploader's streamed path gives its ciphertext to the transport as its own
// (`put(…, owned)`) and frees the source's chunks once encrypted (`freeSourceChunks`); the
// downloader frees the transport's chunks once copied (`ownedChunks`) and, with
// `freeWrittenChunks`, each plaintext chunk once the sink's write resolved. The bytes must not
// change: byte-identical round trips, and a corrupted part is still refused.
import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { nodeBackend } from "../attachments/node-backend.ts";
import { ChunkedUpload } from "./uploader.ts";
import { DownloadIntegrityError, downloadParts } from "./downloader.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import { memoryStateStore } from "./upload-state.ts";

const KiB = 1024;
const sha = (d: Uint8Array) => createHash("sha256").update(d).digest("hex");
const detached = (c: Uint8Array): boolean => c.buffer.byteLength === 0;

/** Media in memory; records what put() was told and the chunks get() handed out (each a buffer of its own). */
function recordingTransport(ownedChunks: boolean) {
  const media = new Map<string, Uint8Array>();
  let n = 0;
  const t = {
    media,
    ownedFlags: [] as (boolean | undefined)[],
    putChunks: [] as Uint8Array[],
    given: [] as { chunk: Uint8Array; length: number }[],
    async create() {
      return `mxc://mem.test/f${n++}`;
    },
    async put(mxc: string, body: ReadableStream<Uint8Array>, _length: number, _signal?: AbortSignal, owned?: boolean) {
      t.ownedFlags.push(owned);
      const copies: Uint8Array[] = [];
      for await (const c of body) {
        t.putChunks.push(c);
        copies.push(new Uint8Array(c)); // a copy (Buffer's slice() is a view)
      }
      media.set(mxc, new Uint8Array(Buffer.concat(copies)));
    },
    async get(mxc: string) {
      const d = media.get(mxc);
      if (d === undefined) throw new MediaHttpError(404, "M_NOT_FOUND", "no");
      let o = 0;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (o >= d.length) return c.close();
          const chunk = d.slice(o, o + 64 * KiB); // a buffer of its own, as node:http's
          o += chunk.length;
          t.given.push({ chunk, length: chunk.length });
          c.enqueue(chunk);
        },
      });
    },
  };
  const transport: MediaTransport = { ...t, ownedChunks };
  return { t, transport };
}

/** Source chunks of 100 KiB, each a buffer of its own, kept to check they were freed. */
function recordingSource(data: Uint8Array) {
  const handed: Uint8Array[] = [];
  const source = (offset: number, length: number): ReadableStream<Uint8Array> => {
    let o = offset;
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (o >= offset + length) return c.close();
        const chunk = new Uint8Array(data.subarray(o, Math.min(offset + length, o + 100 * KiB))); // a buffer of its own
        o += chunk.length;
        handed.push(chunk);
        c.enqueue(chunk);
      },
    });
  };
  return { source, handed };
}

async function upload(data: Uint8Array, transport: MediaTransport, freeSourceChunks: boolean) {
  const { source, handed } = recordingSource(data);
  const up = await new ChunkedUpload({ source, freeSourceChunks, name: "f.bin", mimetype: "application/octet-stream", size: data.length, transport, store: memoryStateStore(), backend: nodeBackend, partSize: 1024 * KiB }).start();
  return { up, handed };
}

describe("chunks freed once used (Node: no garbage left per chunk)", () => {
  const data = randomBytes(2.5 * 1024 * KiB);

  it("upload, streamed parts: the transport is told the ciphertext chunks are its own, and source chunks are freed once encrypted with freeSourceChunks only", async () => {
    const a = recordingTransport(false);
    const { handed } = await upload(data, a.transport, true);
    // three parts and the manifest: the parts' bodies are the uploader's own buffers
    assert.deepEqual(a.t.ownedFlags.slice(0, 3), [true, true, true]);
    assert.ok(handed.length >= 26 && handed.every(detached), "every source chunk freed once encrypted");
    const b = recordingTransport(false);
    const kept = await upload(data, b.transport, false);
    assert.ok(kept.handed.every((c) => !detached(c)), "without freeSourceChunks the source's chunks are left alone");
  });

  it("download: the transport's own chunks and, with freeWrittenChunks, the written plaintext are freed; the file is byte-identical", async () => {
    const { t, transport } = recordingTransport(true);
    const { up } = await upload(data, transport, true);
    const written: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    await downloadParts({
      manifestFile: up.manifestFile, transport, backend: nodeBackend, freeWrittenChunks: true,
      sink: new WritableStream({ write: (c) => void (written.push(c), copies.push(new Uint8Array(c))) }),
    });
    assert.equal(sha(Buffer.concat(copies)), sha(data));
    const parts = t.given.filter((g) => g.length === 64 * KiB);
    assert.ok(parts.length >= 39 && parts.every((g) => detached(g.chunk)), "every 64 KiB chunk of the parts freed once copied");
    // the sink saw 1 MiB chunks (the downloader gathers the 64 KiB ones), each freed after its write
    assert.deepEqual(copies.map((c) => c.length), [1024 * KiB, 1024 * KiB, 512 * KiB]);
    assert.ok(written.every(detached), "every plaintext chunk freed once written");
  });

  it("download: chunks are left alone when the transport does not give them and without freeWrittenChunks", async () => {
    const { t, transport } = recordingTransport(false);
    const { up } = await upload(data, transport, true);
    const written: Uint8Array[] = [];
    await downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, sink: new WritableStream({ write: (c) => void written.push(c) }) });
    assert.equal(sha(Buffer.concat(written)), sha(data));
    assert.ok(t.given.every((g) => !detached(g.chunk)) && written.every((c) => !detached(c)));
  });

  it("download: a corrupted part is still refused (hash checked on the gathered MiBs)", async () => {
    const { t, transport } = recordingTransport(true);
    const { up } = await upload(data, transport, true);
    const second = up.manifest.parts[1]!.file.url;
    const bad = t.media.get(second)!;
    bad[700 * KiB]! ^= 1;
    let aborted = false;
    await assert.rejects(downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, freeWrittenChunks: true, sink: new WritableStream({ abort: () => void (aborted = true) }) }),
      (e: unknown) => e instanceof DownloadIntegrityError && e.reason === "hash_mismatch" && e.part === 1);
    assert.ok(aborted, "the sink is aborted");
  });
});
