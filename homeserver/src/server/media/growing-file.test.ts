import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrowingFile } from "./growing-file.ts";
import { streamToFile } from "./stream-to-file.ts";
import { readToEnd } from "./test-streams.ts";

/** A source the test feeds by hand: push() chunks, end() or fail(). */
function handSource(): { source: AsyncIterable<Uint8Array>; push(b: Uint8Array): void; end(): void; fail(e: Error): void } {
  const queue: (Uint8Array | Error | null)[] = [];
  let wake: (() => void) | undefined;
  const put = (x: Uint8Array | Error | null): void => {
    queue.push(x);
    wake?.();
  };
  return {
    source: (async function* () {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const x = queue.shift();
        if (x === null || x === undefined) return;
        if (x instanceof Error) throw x;
        yield x;
      }
    })(),
    push: put, end: () => put(null), fail: put,
  };
}

describe("GrowingFile", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "growing-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives readers the bytes written so far, then the rest as it comes, across a rename", async () => {
    const path = join(dir, "tmp");
    const file = await GrowingFile.create(path);
    const src = handSource();
    const written = streamToFile(file.handle, src.source, { maxBytes: 1e9, quotaLeft: undefined }, { afterMs: 5, onWritten: (n) => file.grew(n) });
    const first = randomBytes(100_000);
    src.push(first);
    // a reader started now receives the first chunk although the source has not ended
    const early = file.read(0);
    await once(early, "readable");
    const firstBytes = early.read() as Buffer;
    assert.ok(firstBytes.length > 0 && first.subarray(0, firstBytes.length).equals(firstBytes));
    const ranged = file.read(50_000, 150_000);
    const rest = randomBytes(200_000);
    src.push(rest);
    src.end();
    await written;
    renameSync(path, join(dir, "final"));
    file.complete(join(dir, "final"));
    const whole = Buffer.concat([first, rest]);
    const a = await readToEnd(early);
    assert.equal(a.error, undefined);
    assert.ok(Buffer.concat([firstBytes, a.bytes]).equals(whole));
    const b = await readToEnd(ranged);
    assert.ok(b.bytes.equals(whole.subarray(50_000, 150_000)));
    // after the writer and every reader are done the handle is closed: reads come from the final file
    const late = await readToEnd(file.read(299_990));
    assert.ok(late.bytes.equals(whole.subarray(299_990)));
  });

  it("errors readers when the writer fails, after the bytes they had", async () => {
    const file = await GrowingFile.create(join(dir, "tmp"));
    const src = handSource();
    const written = streamToFile(file.handle, src.source, { maxBytes: 1e9, quotaLeft: undefined }, { afterMs: 5, onWritten: (n) => file.grew(n) });
    const reader = file.read(0, 1_000_000);
    const got = readToEnd(reader);
    src.push(randomBytes(10_000));
    src.fail(new Error("origin went away"));
    await assert.rejects(written, /origin went away/);
    file.fail(new Error("fetch failed"));
    const r = await got;
    assert.match(String(r.error), /fetch failed/);
    assert.ok(r.bytes.length <= 10_000);
    assert.match(String((await readToEnd(file.read(0))).error), /fetch failed/);
  });

  it("errors a reader whose range ends past a file that completed short", async () => {
    const file = await GrowingFile.create(join(dir, "tmp"));
    await file.handle.write(Buffer.alloc(10, 1));
    file.grew(10);
    const reader = file.read(0, 20);
    file.complete(join(dir, "tmp"));
    const r = await readToEnd(reader);
    assert.equal(r.bytes.length, 10);
    assert.match(String(r.error), /ends at 10 bytes/);
  });
});
