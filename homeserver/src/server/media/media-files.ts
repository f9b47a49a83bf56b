// The bytes of local media on disk, under config.media.path:
//   local/<id[0:2]>/<id[2:4]>/<id>                 the uploaded file
//   thumbnails/<id[0:2]>/<id[2:4]>/<id>/<key>      generated thumbnails, a cache (safe to delete)
//   tmp/<random>                                   uploads in flight; renamed into place when complete
// Paths are built only from validated media ids ([A-Za-z0-9_-]), so no request can escape the root.
import { randomBytes } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { noteTransferred } from "./transfer-gc.ts";
import { streamToFile, type ReceiveLimits, type Written } from "./stream-to-file.ts";

export interface ReceivedFile {
  tempPath: string;
  size: number;
  /** Lower-case hex sha256 of the bytes, computed while streaming. */
  sha256: string;
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
   * Memory stays at about two write batches whatever the upload size (stream-to-file.ts). On any
   * failure the partial file is removed.
   */
  async receive(source: AsyncIterable<Uint8Array>, limits: ReceiveLimits): Promise<ReceivedFile> {
    const tempPath = await this.newTempPath();
    const fh = await open(tempPath, "wx", 0o600);
    let written: Written;
    try {
      written = await streamToFile(fh, source, limits);
      // the database will say "uploaded" once we return: make the bytes durable first
      await fh.datasync();
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tempPath, { force: true });
      throw err;
    }
    return { tempPath, ...written };
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

function shard(mediaId: string): [string, string] {
  if (!SAFE_ID.test(mediaId)) throw new Error(`unsafe media id ${mediaId}`);
  const p = mediaId.padEnd(4, "_");
  return [p.slice(0, 2), p.slice(2, 4)];
}
