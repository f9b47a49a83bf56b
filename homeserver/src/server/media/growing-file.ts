// A file read while it is being written: remote media reaches our clients as it arrives from its
// origin (the fetch writes the cache's temp file, each download reads behind the writer) instead
// of after the whole file is in.
//
// Readers read the disk, never the writer's memory: a slow client holds no bytes in memory and
// does not slow the fetch for the others, and memory stays flat whatever the size. One handle,
// opened for reading and writing, serves the writer (appends) and every reader (positional
// reads), so renaming the file to its final place, or removing it after a failure, never
// disturbs a reader. The handle closes when the writer and the last reader are done.
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { noteTransferred } from "./transfer-gc.ts";

const READ_BYTES = 256 * 1024;

export class GrowingFile {
  readonly handle: FileHandle;
  /** Bytes on disk so far, readable. */
  private written = 0;
  private state: "filling" | "complete" | "failed" = "filling";
  private failure: Error | undefined;
  /** Where the complete file ended up (the handle may be closed by then). */
  private finalPath: string | undefined;
  private waiters: (() => void)[] = [];
  /** The writer and the open readers: the handle closes at zero. */
  private users = 1;

  private constructor(handle: FileHandle) {
    this.handle = handle;
  }

  /** Creates `path` (it must not exist) for the writer. */
  static async create(path: string): Promise<GrowingFile> {
    return new GrowingFile(await open(path, "wx+", 0o600));
  }

  /** The writer: the first `bytes` bytes are in the file. */
  grew(bytes: number): void {
    this.written = bytes;
    this.wake();
  }

  /** The writer: every byte is in; the file now lives at `path`. */
  complete(path: string): void {
    this.state = "complete";
    this.finalPath = path;
    this.wake();
    this.release();
  }

  /** The writer failed: readers that have not reached their end get `err`. */
  fail(err: Error): void {
    this.state = "failed";
    this.failure = err;
    this.wake();
    this.release();
  }

  /**
   * The bytes [start, end) as they are written: `end` undefined reads to the end of the file,
   * whatever its size. The stream errors when the writer fails, or completes short of `end`.
   */
  read(start: number, end?: number): Readable {
    if (this.users === 0) return this.closedRead(start, end);
    this.users++;
    let pos = start;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.release();
    };
    const next = (): Promise<Buffer | null> => this.next(pos, end);
    return new Readable({
      highWaterMark: READ_BYTES,
      read() {
        next().then((chunk) => {
          if (this.destroyed) return;
          if (chunk === null) {
            release();
            this.push(null);
            return;
          }
          pos += chunk.length;
          noteTransferred(chunk.length);
          this.push(chunk);
        }, (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))));
      },
      destroy(err, cb) {
        release();
        cb(err);
      },
    });
  }

  /** The next chunk at `pos` once it is written; null at the end. */
  private async next(pos: number, end: number | undefined): Promise<Buffer | null> {
    for (;;) {
      if (this.state === "failed") throw this.failure ?? new Error("the file could not be written");
      const limit = end ?? (this.state === "complete" ? this.written : Infinity);
      if (pos >= limit) return null;
      if (this.state === "complete" && pos >= this.written) throw new Error(`the file ends at ${this.written} bytes, before ${limit}`);
      const available = Math.min(limit, this.written) - pos;
      if (available > 0) {
        const buf = Buffer.allocUnsafe(Math.min(available, READ_BYTES));
        const { bytesRead } = await this.handle.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new Error(`the file ends at ${pos} bytes, ${this.written} were written`);
        return buf.subarray(0, bytesRead);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** After the handle closed: from the final file when it completed, else the failure. */
  private closedRead(start: number, end: number | undefined): Readable {
    if (this.state !== "complete" || this.finalPath === undefined) {
      const failed = new Readable({ read: () => undefined });
      failed.destroy(this.failure ?? new Error("the file could not be written"));
      return failed;
    }
    if (end !== undefined && end > this.written) {
      const short = new Readable({ read: () => undefined });
      short.destroy(new Error(`the file ends at ${this.written} bytes, before ${end}`));
      return short;
    }
    if (end === start) return Readable.from([]);
    return createReadStream(this.finalPath, { start, ...(end === undefined ? {} : { end: end - 1 }), highWaterMark: READ_BYTES });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private release(): void {
    this.users--;
    if (this.users === 0) void this.handle.close().catch(() => undefined);
  }
}
