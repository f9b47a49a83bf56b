import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MatrixError } from "../../spec/matrix-error.ts";
import { MediaFiles } from "./media-files.ts";

async function* chunks(n: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) yield Buffer.alloc(size, i);
}

describe("MediaFiles", () => {
  let root: string;
  let files: MediaFiles;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "media-files-"));
    files = new MediaFiles({ root });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("streams to a temp file, hashing, then moves it under a sharded path", async () => {
    const got = await files.receive(chunks(4, 1000), { maxBytes: 10_000, quotaLeft: undefined });
    const expected = Buffer.concat([0, 1, 2, 3].map((i) => Buffer.alloc(1000, i)));
    assert.equal(got.size, 4000);
    assert.equal(got.sha256, createHash("sha256").update(expected).digest("hex"));
    const final = files.localPath("AbCdEfGh");
    assert.equal(final, join(root, "local", "Ab", "Cd", "AbCdEfGh"));
    await files.commit(got.tempPath, final);
    assert.ok(readFileSync(final).equals(expected));
    assert.deepEqual(readdirSync(join(root, "tmp")), []);
    assert.equal(await files.sizeOf(final), 4000);
    assert.equal(await files.sizeOf(files.localPath("nothere")), undefined);
  });

  it("keeps every byte in order across write batches (socket-sized chunks, empty ones, a chunk over the batch size)", async () => {
    const sizes = [16_384, 0, 7, 65_536, 2 * 1024 * 1024 + 3, ...Array.from({ length: 200 }, (_, i) => 16_384 + i), 1];
    const parts = sizes.map((n, i) => Buffer.alloc(n, i % 251));
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield Buffer.from(p); // a fresh buffer each time, as a socket gives
    }
    const got = await files.receive(source(), { maxBytes: 1e9, quotaLeft: undefined });
    const expected = Buffer.concat(parts);
    assert.equal(got.size, expected.length);
    assert.ok(readFileSync(got.tempPath).equals(expected));
    assert.equal(got.sha256, createHash("sha256").update(expected).digest("hex"));
  });

  it("stops at the size limit (413) or the quota (403) and removes the partial file", async () => {
    await assert.rejects(files.receive(chunks(100, 1000), { maxBytes: 2500, quotaLeft: undefined }),
      (e: unknown) => e instanceof MatrixError && e.status === 413 && e.errcode === "M_TOO_LARGE");
    await assert.rejects(files.receive(chunks(100, 1000), { maxBytes: 1e9, quotaLeft: 1500 }),
      (e: unknown) => e instanceof MatrixError && e.status === 403 && e.errcode === "M_FORBIDDEN");
    assert.deepEqual(readdirSync(join(root, "tmp")), []);
  });

  it("refuses ids that could escape the media folder", () => {
    assert.throws(() => files.localPath("../etc"));
    assert.throws(() => files.thumbnailPath("abcd", "../x"));
  });
});
