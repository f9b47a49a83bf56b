import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tarStream, type TarEntry } from "./tar-stream.ts";
import { filePath } from "./archive-layout.ts";

async function bytesOf(s: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await s.pipeTo(new WritableStream({ write: (c) => void parts.push(c) }));
  return Buffer.concat(parts);
}

const entry = (path: string, data: Uint8Array, size = data.length): TarEntry => ({ path, size, mtime: new Date(1_700_000_000_000), body: new Blob([data as Uint8Array<ArrayBuffer>]).stream() });

describe("archive: streamed ustar writer", () => {
  it("writes what GNU tar lists and extracts byte for byte (empty, exact-block and odd sizes)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "entente-tar-"));
    try {
      const files = { "a.txt": Buffer.from("bonjour\n"), "files/0001-x.bin": Buffer.alloc(512, 7), "empty": Buffer.alloc(0), "files/0002-y.bin": Buffer.alloc(1000, 1) };
      async function* entries() {
        for (const [p, d] of Object.entries(files)) yield entry(p, d);
      }
      const tar = await bytesOf(tarStream(entries()));
      assert.equal(tar.length % 512, 0);
      writeFileSync(join(dir, "t.tar"), tar);
      assert.deepEqual(execFileSync("tar", ["-tf", join(dir, "t.tar")], { encoding: "utf8" }).trim().split("\n"), Object.keys(files));
      execFileSync("tar", ["-xf", join(dir, "t.tar"), "-C", dir]);
      for (const [p, d] of Object.entries(files)) assert.ok(readFileSync(join(dir, p)).equals(d), p);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails when a body is shorter or longer than its declared size", async () => {
    async function* short() {
      yield entry("x", Buffer.from("abc"), 4);
    }
    await assert.rejects(bytesOf(tarStream(short())), /has 3 bytes, declared 4/);
    async function* long() {
      yield entry("x", Buffer.from("abcde"), 4);
    }
    await assert.rejects(bytesOf(tarStream(long())), /longer than its declared 4/);
  });

  it("names files in ASCII that fit a ustar header", () => {
    assert.equal(filePath(7, "délibération n°12.pdf"), "files/0007-deliberation_n_12.pdf");
    assert.equal(filePath(1, "../../etc/passwd"), "files/0001-etc_passwd");
    assert.ok(filePath(2, "x".repeat(300)).length <= 100);
  });
});
