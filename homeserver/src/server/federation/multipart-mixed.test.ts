import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MultipartError, MultipartReader, mediaEnvelope, multipartBoundary, readPart } from "./multipart-mixed.ts";

async function* pieces(buf: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of body) out.push(c);
  return Buffer.concat(out);
}

const B = "xYz123";
const sample = (file: Buffer): Buffer => Buffer.concat([
  Buffer.from(`preamble to ignore\r\n--${B}\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n--${B}  \r\nContent-Type: image/png\r\nContent-Disposition: inline; filename="x.png"\r\n\r\n`),
  file,
  Buffer.from(`\r\n--${B}--\r\nepilogue`),
]);

describe("multipart/mixed", () => {
  it("reads the boundary parameter, quoted or not, only from multipart/mixed", () => {
    assert.equal(multipartBoundary("multipart/mixed; boundary=abc"), "abc");
    assert.equal(multipartBoundary('Multipart/Mixed;charset=x; boundary="a b:c"'), "a b:c");
    assert.equal(multipartBoundary("multipart/form-data; boundary=abc"), undefined);
    assert.equal(multipartBoundary("multipart/mixed"), undefined);
    assert.equal(multipartBoundary(`multipart/mixed; boundary=${"a".repeat(71)}`), undefined);
  });

  for (const size of [1, 3, 7, 64, 100_000]) {
    it(`splits the two parts whatever the chunking (${size}-byte chunks)`, async () => {
      // bytes that look like the start of a delimiter must stay in the body
      const file = Buffer.concat([Buffer.from(`\r\n--${B.slice(0, 4)}\r\n-`), randomBytes(3000), Buffer.from("\r\n--")]);
      const reader = new MultipartReader(pieces(sample(file), size), B);
      const meta = await reader.nextPart();
      assert.equal(meta?.headers.get("content-type"), "application/json");
      assert.deepEqual(JSON.parse((await readPart(meta.body, 1000)).toString()), { a: 1 });
      const part = await reader.nextPart();
      assert.equal(part?.headers.get("content-disposition"), 'inline; filename="x.png"');
      assert.ok((await collect(part.body)).equals(file));
      assert.equal(await reader.nextPart(), undefined);
    });
  }

  it("accepts a first delimiter at the very start and parts without headers", async () => {
    const body = Buffer.from(`--${B}\r\n\r\n{}\r\n--${B}\r\nLocation: https://cdn.example/x\r\n\r\n\r\n--${B}--`);
    const reader = new MultipartReader(pieces(body, 5), B);
    const meta = await reader.nextPart();
    assert.equal(meta?.headers.size, 0);
    assert.equal((await readPart(meta.body, 10)).toString(), "{}");
    const part = await reader.nextPart();
    assert.equal(part?.headers.get("location"), "https://cdn.example/x");
    assert.equal((await collect(part.body)).length, 0);
  });

  it("fails on a body cut before its closing delimiter (never a silently truncated file)", async () => {
    const whole = sample(randomBytes(5000));
    const reader = new MultipartReader(pieces(whole.subarray(0, whole.length - 30), 512), B);
    await readPart((await reader.nextPart())!.body, 100);
    const part = await reader.nextPart();
    await assert.rejects(collect(part!.body), MultipartError);
  });

  it("streams: the first file bytes come out before the source is read to its end", async () => {
    const file = randomBytes(1024 * 1024);
    const whole = sample(file);
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < whole.length; i += 16 * 1024) {
        pulled++;
        yield whole.subarray(i, i + 16 * 1024);
      }
    }
    const total = Math.ceil(whole.length / (16 * 1024));
    const reader = new MultipartReader(source(), B);
    await readPart((await reader.nextPart())!.body, 100);
    const it = (await reader.nextPart())!.body[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.done, false);
    assert.ok(pulled <= 2, `pulled ${pulled} of ${total} chunks before the first body bytes`);
    let size = first.value!.length;
    let largest = size;
    for (let r = await it.next(); r.done !== true; r = await it.next()) {
      size += r.value.length;
      largest = Math.max(largest, r.value.length);
    }
    assert.equal(size, file.length);
    assert.ok(largest <= 16 * 1024 + 64, `largest chunk ${largest}`);
  });

  it("writes an envelope its own reader parses back", async () => {
    const env = mediaEnvelope({ contentType: "text/plain", contentDisposition: "attachment; filename=\"a.txt\"" });
    assert.match(env.contentType, /^multipart\/mixed; boundary=[0-9a-f]{32}$/);
    const file = Buffer.from("hello");
    const reader = new MultipartReader(pieces(Buffer.concat([env.head, file, env.tail]), 2), multipartBoundary(env.contentType)!);
    assert.equal((await readPart((await reader.nextPart())!.body, 10)).toString(), "{}");
    const part = (await reader.nextPart())!;
    assert.equal(part.headers.get("content-type"), "text/plain");
    assert.equal((await collect(part.body)).toString(), "hello");
    assert.equal(await reader.nextPart(), undefined);
  });
});
