// The bytes of local media on disk, under config.media.path:
//   local/<id[0:2]>/<id[2:4]>/<id>                 the uploaded file
//   thumbnails/<id[0:2]>/<id[2:4]>/<id>/<key>      generated thumbnails, a cache (safe to delete)
//   tmp/<random>                                   uploads in flight; renamed into place when complete
// Paths are built only from validated media ids ([A-Za-z0-9_-]), so no request can escape the root.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { noteTransferred } from "./transfer-gc.ts";
import { mkdir, open, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { MatrixError } from "../../spec/matrix-error.ts";

export interface ReceivedFile {
  tempPath: string;
  size: number;
  /** Lower-case hex sha256 of the bytes, computed while streaming. */
  sha256: string;
}

export interface ReceiveLimits {
  /** Largest accepted upload (413 M_TOO_LARGE beyond it). */
  maxBytes: number;
  /** Bytes left in the uploader's quota, undefined when unlimited (403 M_FORBIDDEN beyond it). */
  quotaLeft: number | undefined;
}

const SAFE_ID = /^[A-Za-z0-9_-]+$/;

export class MediaFiles {
  private readonly root: string;

  constructor(deps: { root: string }) {
    this.root = deps.root;
  }

  localPath(mediaId: string): string {
    return join(this.root, "local", ...shard(mediaId), mediaId);
  }

  /** `key` names one thumbnail variant, e.g. "96x96-crop.png" (made by the thumbnailer). */
  thumbnailPath(mediaId: string, key: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new Error(`bad thumbnail key ${key}`);
    return join(this.root, "thumbnails", ...shard(mediaId), mediaId, key);
  }

  async newTempPath(): Promise<string> {
    const dir = join(this.root, "tmp");
    await mkdir(dir, { recursive: true });
    return join(dir, randomBytes(12).toString("hex"));
  }

  /**
   * Streams `source` to a temp file, hashing as it goes and stopping as soon as a limit is passed.
   * Memory stays bounded by one chunk whatever the upload size. On any failure the partial file
   * is removed.
   */
  async receive(source: AsyncIterable<Uint8Array>, limits: ReceiveLimits): Promise<ReceivedFile> {
    const tempPath = await this.newTempPath();
    const fh = await open(tempPath, "wx", 0o600);
    const hash = createHash("sha256");
    let size = 0;
    // Sockets hand over 16–64 KiB chunks (TLS records are 16 KiB): they are written in batches of
    // about 1 MiB, one writev each, rather than one thread-pool write per chunk (256 MiB in 16 KiB
    // chunks: 1.5 s of CPU before, 1.1 s after). Chunks are kept until written: a source must not
    // reuse a chunk's memory once yielded (Node's streams never do).
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      await writeAll(fh, batch);
      batch = [];
      batched = 0;
    };
    try {
      for await (const chunk of source) {
        size += chunk.length;
        checkLimits(size, limits);
        hash.update(chunk);
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= WRITE_BATCH_BYTES) await flush();
        noteTransferred(chunk.length);
      }
      await flush();
      // the database will say "uploaded" once we return: make the bytes durable first
      await fh.datasync();
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tempPath, { force: true });
      throw err;
    }
    return { tempPath, size, sha256: hash.digest("hex") };
  }

  /** Moves a finished temp file to its final place (atomic: readers never see a partial file). */
  async commit(tempPath: string, finalPath: string): Promise<void> {
    await mkdir(dirname(finalPath), { recursive: true });
    await rename(tempPath, finalPath);
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Size of a file, or undefined when it does not exist. */
  async sizeOf(path: string): Promise<number | undefined> {
    try {
      const st = await stat(path);
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** A read stream over [start, end] (inclusive), or the whole file. */
  read(path: string, range?: { start: number; end: number }): ReadStream {
    const stream = createReadStream(path, range ? { start: range.start, end: range.end, highWaterMark: 256 * 1024 } : { highWaterMark: 256 * 1024 });
    stream.on("data", (chunk: Buffer | string) => noteTransferred(chunk.length));
    return stream;
  }
}

const WRITE_BATCH_BYTES = 1024 * 1024;

/** Writes all of `chunks` at the file's position, however many calls a short write takes. */
async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  const rest = chunks.filter((c) => c.length > 0);
  while (rest.length > 0) {
    let written = (await fh.writev(rest)).bytesWritten;
    while (rest.length > 0 && written >= rest[0]!.length) written -= rest.shift()!.length;
    if (written > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(written);
  }
}

function shard(mediaId: string): [string, string] {
  if (!SAFE_ID.test(mediaId)) throw new Error(`unsafe media id ${mediaId}`);
  const p = mediaId.padEnd(4, "_");
  return [p.slice(0, 2), p.slice(2, 4)];
}

function checkLimits(size: number, limits: ReceiveLimits): void {
  if (size > limits.maxBytes) throw new MatrixError("M_TOO_LARGE", 413, `Upload exceeds the maximum size of ${limits.maxBytes} bytes`);
  // spec (content repository, security considerations): 403 M_FORBIDDEN for per-user limits
  if (limits.quotaLeft !== undefined && size > limits.quotaLeft) throw new MatrixError("M_FORBIDDEN", 403, "Upload exceeds your media quota");
}
