import assert from "node:assert/strict";
import { setImmediate as turn } from "node:timers/promises";
import { jobBody, keepChunk, QUEUE_BYTES, releasedBody, releasesSafely } from "./released-body.ts";

const KiB = 1024;

describe("client dossiers: the download worker's response body (released-body.ts)", () => {
  it("releases a chunk when the consumer asks for the next one, never before, and the last one at the end", async () => {
    const chunks = [new Uint8Array(64 * KiB).fill(1), new Uint8Array(64 * KiB).fill(2), new Uint8Array(10).fill(3)];
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (const x of chunks) c.enqueue(x);
        c.close();
      },
    });
    const released: Uint8Array[] = [];
    const reader = releasedBody(source, () => undefined, (c) => void released.push(c)).getReader();
    const first = await reader.read();
    assert.equal(first.value, chunks[0]);
    await turn();
    assert.deepEqual(released, [], "the chunk being read is kept");
    assert.equal((await reader.read()).value, chunks[1]);
    assert.deepEqual(released, [chunks[0]]);
    assert.equal((await reader.read()).value, chunks[2]);
    assert.deepEqual(released, [chunks[0], chunks[1]]);
    assert.equal((await reader.read()).done, true);
    assert.deepEqual(released, chunks);
  });

  it("frees the bytes of a taken chunk by default (its buffer is detached), and a cancel stops the source", async () => {
    let cancelled: unknown;
    let told: unknown;
    const source = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(64 * KiB)),
      cancel: (r) => void (cancelled = r),
    }, { highWaterMark: 0 });
    const reader = releasedBody(source, (r) => void (told = r)).getReader();
    const a = (await reader.read()).value!;
    assert.equal(a.byteLength, 64 * KiB);
    const b = (await reader.read()).value!;
    assert.equal(a.byteLength, 0, "the first chunk's buffer is released");
    assert.equal(b.byteLength, 64 * KiB);
    await reader.cancel("download cancelled");
    assert.equal(b.byteLength, 0);
    assert.equal(cancelled, "download cancelled");
    assert.equal(told, "download cancelled");
  });

  it("lets the downloader write ahead at most the queue's bytes while the browser reads nothing", async () => {
    const { writable, body } = jobBody(() => undefined, () => undefined);
    const writer = writable.getWriter();
    let accepted = 0;
    const size = 16 * KiB;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 64; i++) writes.push(writer.write(new Uint8Array(size)).then(() => void (accepted += size)));
    for (let i = 0; i < 10; i++) await turn();
    // the readable side holds QUEUE_BYTES (and the chunk that filled it), the writable side queues the rest unprocessed
    assert.ok(accepted >= QUEUE_BYTES && accepted <= QUEUE_BYTES + 2 * size, `${accepted} bytes accepted`);
    assert.ok((writer.desiredSize ?? 0) <= 0, "the writer is told to wait");
    const reader = body.getReader();
    let read = 0;
    while (read < 64 * size) read += (await reader.read()).value!.byteLength;
    await Promise.all(writes);
    assert.equal(accepted, 64 * size);
  });

  it("holds one decryption output at a time when outputs are bigger than the bound (512 KiB calls)", async () => {
    const { writable, body } = jobBody(() => undefined, () => undefined);
    const writer = writable.getWriter();
    const size = 512 * KiB;
    let accepted = 0;
    const writes = [0, 1, 2, 3].map(() => writer.write(new Uint8Array(size)).then(() => void (accepted += size)));
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(accepted, size, "one chunk taken, the next writes wait");
    const reader = body.getReader();
    for (let i = 0; i < 4; i++) assert.equal((await reader.read()).value!.byteLength, size);
    await Promise.all(writes);
  });

  it("releases only where the body reader is Blink's: elsewhere chunks stay whole (a reader holding one would save a short file)", async () => {
    assert.equal(releasesSafely({ userAgentData: { brands: [] } }), true, "Chromium-based");
    assert.equal(releasesSafely({ userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0" }), false, "Firefox");
    const chunk = new Uint8Array(1024).fill(7);
    const { writable, body } = jobBody(() => undefined, keepChunk);
    const w = writable.getWriter();
    void w.write(chunk).then(() => w.close());
    const r = body.getReader();
    const first = await r.read();
    assert.equal((await r.read()).done, true);
    assert.equal(first.value?.byteLength, 1024, "kept whole after the next read");
    assert.equal(chunk.byteLength, 1024);
  });
});
