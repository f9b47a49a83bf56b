import assert from "node:assert/strict";
import { TarFormatError, TarReader } from "./tar-read.ts";
import { tarStream, type TarEntry } from "./tar-stream.ts";

async function* list(...e: TarEntry[]): AsyncGenerator<TarEntry> {
  yield* e;
}
const entry = (path: string, bytes: Uint8Array): TarEntry => ({ path, size: bytes.length, mtime: new Date(0), body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream() });
async function bytesOf(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}
/** The stream of `b` cut in chunks of `n` bytes (headers and bodies across chunk edges). */
const chunked = (b: Uint8Array, n: number): ReadableStream<Uint8Array> => new ReadableStream({
  start(c) {
    for (let i = 0; i < b.length; i += n) c.enqueue(b.slice(i, i + n));
    c.close();
  },
});

describe("files: tar reader", () => {
  // Entries of 512 and 0 bytes end without padding: tar-stream once stalled there (a pull that enqueued nothing).
  it("reads back what tar-stream writes, whatever the chunking, bodies and padding apart", async () => {
    const a = new Uint8Array(1000).map((_, i) => i % 251);
    const b = new TextEncoder().encode("{}\n");
    const tar = await bytesOf(tarStream(list(entry("files/0001-a.bin", a), entry("files/0002-b.bin", new Uint8Array(512)), entry("room.json", b), entry("empty", new Uint8Array(0)))));
    for (const n of [1, 7, 512, 100_000]) {
      const r = new TarReader(chunked(tar, n));
      const got: [string, number, number][] = [];
      for (let h = await r.next(); h !== undefined; h = await r.next()) {
        let body = 0;
        let pad = 0;
        await r.body((c) => void (body += c.length), (c) => void (pad += c.length));
        got.push([h.path, body, pad]);
      }
      assert.deepEqual(got, [["files/0001-a.bin", 1000, 24], ["files/0002-b.bin", 512, 0], ["room.json", 3, 509], ["empty", 0, 0]], `chunks of ${n}`);
    }
  });

  it("refuses a bad checksum, a truncated body and data after the end", async () => {
    const tar = await bytesOf(tarStream(list(entry("x", new Uint8Array(600)))));
    const bad = tar.slice();
    bad[0] = 0x79;
    await assert.rejects(new TarReader(chunked(bad, 512)).next(), TarFormatError);
    const cut = new TarReader(chunked(tar.slice(0, 700), 512));
    await cut.next();
    await assert.rejects(cut.body(() => undefined), /truncated/);
    const trailing = new Uint8Array(tar.length + 10);
    trailing.set(tar);
    trailing[tar.length + 5] = 1;
    const r = new TarReader(chunked(trailing, 512));
    await r.next();
    await r.body(() => undefined);
    await assert.rejects(r.next(), /after the end/);
  });
});
