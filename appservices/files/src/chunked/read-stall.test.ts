// ChunkedUpload `readStallMs`: a BYOB read of the source that never answers (Chromium 156 did so,
// now and then, for a picked file's stream in a worker) is given up, and the part goes on from the
// byte reached with a default reader of a new source; the upload completes, byte-identical and
// verified, and the later parts are read with default readers.
import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { webBackend } from "../attachments/web-backend.ts";
import { nodeBackend } from "../attachments/node-backend.ts";
import { ChunkedUpload, type PartSource } from "./uploader.ts";
import { downloadParts } from "./downloader.ts";
import { MediaHttpError, type MediaTransport } from "./media-transport.ts";
import { memoryStateStore } from "./upload-state.ts";

const PART = 256 * 1024;

function memoryTransport(): MediaTransport {
  const media = new Map<string, Uint8Array>();
  let n = 0;
  return {
    create: () => Promise.resolve(`mxc://mem.test/m${n++}`),
    async put(mxc, body) {
      const chunks: Uint8Array[] = [];
      for await (const c of body) chunks.push(c);
      media.set(mxc, new Uint8Array(Buffer.concat(chunks)));
    },
    async get(mxc) {
      const d = media.get(mxc);
      if (d === undefined) throw new MediaHttpError(404, "M_NOT_FOUND", "no");
      return new Blob([d as Uint8Array<ArrayBuffer>]).stream();
    },
  };
}

interface Opened { offset: number; length: number; byob: number; defaultReads: number }

/**
 * A byte stream per part, in pieces of at most 100 KiB, each read answered after `answerAfterMs`;
 * the stream opened `stallOn` (counting from 0) never answers once `stallAfter` of its bytes are
 * handed out.
 */
function stallingSource(data: Uint8Array, stallOn: number, stallAfter: number, answerAfterMs = 0): { source: PartSource; opened: Opened[] } {
  const opened: Opened[] = [];
  const source: PartSource = (offset, length) => {
    const me: Opened = { offset, length, byob: 0, defaultReads: 0 };
    const stalls = opened.length === stallOn;
    opened.push(me);
    let at = offset;
    const end = offset + length;
    return new ReadableStream({
      type: "bytes",
      async pull(c) {
        if (stalls && at - offset >= stallAfter) return new Promise<void>(() => undefined);
        if (answerAfterMs > 0) await new Promise((r) => setTimeout(r, answerAfterMs));
        if (c.byobRequest !== null) me.byob++;
        else me.defaultReads++;
        if (at >= end) return (c.close(), c.byobRequest?.respond(0));
        const n = Math.min(100 * 1024, end - at);
        c.enqueue(data.slice(at, at + n));
        at += n;
      },
    }) as ReadableStream<Uint8Array>;
  };
  return { source, opened };
}

describe("chunked upload: a BYOB read of the source that never answers", () => {
  it("is given up after readStallMs: the part goes on from the byte reached with a default reader, later parts too; the download is byte-identical and verified", async function () {
    this.timeout(20_000); // the code before waited for ever
    // 1.5 s: the stalled read never answers, so the wait only costs time; a short one (50 ms) could
    // give up a healthy read on a loaded machine (a GC or a descheduled turn) and fail the counts
    const data = new Uint8Array(randomBytes(3 * PART + 1234));
    const { source, opened } = stallingSource(data, 1, 150 * 1024); // part 1 stalls mid-way
    const transport = memoryTransport();
    const up = new ChunkedUpload({ source, name: "x", mimetype: "a/b", size: data.length, transport, store: memoryStateStore(), backend: webBackend(), partSize: PART, holdParts: PART, wholeFileHash: false, concurrentParts: 2, readStallMs: 1_500 });
    const r = await up.start();
    assert.equal(up.stalledReads, 1);
    // part 0 by BYOB; part 1 by BYOB until the stall, then the rest of it from the byte reached; parts 2, 3 default reads
    assert.deepEqual(opened.map((o) => [o.offset, o.length]), [[0, PART], [PART, PART], [PART + 200 * 1024, PART - 200 * 1024], [2 * PART, PART], [3 * PART, 1234]]);
    assert.ok(opened[0]!.byob > 0 && opened[0]!.defaultReads === 0, "part 0 read by BYOB");
    assert.ok(opened.slice(2).every((o) => o.byob === 0 && o.defaultReads > 0), "after the stall, default reads only");
    const out: Uint8Array[] = [];
    await downloadParts({ manifestFile: r.manifestFile, transport, backend: nodeBackend, sink: new WritableStream({ write: (c) => void out.push(c) }), holdParts: PART });
    assert.equal(createHash("sha256").update(Buffer.concat(out)).digest("hex"), createHash("sha256").update(data).digest("hex"));
  });

  it("with readStallMs Infinity every part is read by BYOB, none given up (reads answered after 5 ms: no timer that fires at once)", async () => {
    const data = new Uint8Array(randomBytes(2 * PART + 99));
    const { source, opened } = stallingSource(data, -1, 0, 5);
    const up = new ChunkedUpload({ source, name: "x", mimetype: "a/b", size: data.length, transport: memoryTransport(), store: memoryStateStore(), backend: webBackend(), partSize: PART, holdParts: PART, wholeFileHash: false, readStallMs: Infinity });
    await up.start();
    assert.equal(up.stalledReads, 0);
    assert.equal(opened.length, 3);
    assert.ok(opened.every((o) => o.byob > 0 && o.defaultReads === 0), "BYOB reads only");
  });
});
