// Writes a byte stream to an open file, hashing it and checking size limits as it goes: the one
// write loop of uploads (media-files.ts receive) and of remote media fetched over federation.
//
// Sockets hand over 16–64 KiB chunks (TLS records are 16 KiB): they are written in batches of
// about 1 MiB, one writev each, rather than one thread-pool write per chunk (256 MiB in 16 KiB
// chunks: 1.5 s of CPU before, 1.1 s after). Chunks are kept until written: a source must not
// reuse a chunk's memory once yielded (Node's streams never do).
//
// With `progress`, a batch that is not full is also written after `afterMs`, and every write is
// reported: readers following the file (growing-file.ts) then get bytes that trickle in (an origin
// that is slow or stalls mid-file) within afterMs, not only once a whole MiB has come.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { MatrixError } from "../../spec/matrix-error.ts";
import { noteTransferred } from "./transfer-gc.ts";

export interface ReceiveLimits {
  /** Largest accepted upload (413 M_TOO_LARGE beyond it). */
  maxBytes: number;
  /** Bytes left in the uploader's quota, undefined when unlimited (403 M_FORBIDDEN beyond it). */
  quotaLeft: number | undefined;
}

export interface WriteProgress {
  /** Longest time received bytes wait in memory before being written. */
  afterMs: number;
  /** Called after each write with the bytes now in the file. */
  onWritten(bytes: number): void;
}

export interface Written {
  size: number;
  /** Lower-case hex sha256 of the bytes. */
  sha256: string;
}

const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Appends `source` to `fh` (at its current position). Memory stays at about two batches whatever
 * the size: a full batch waits for the writes before it. Rejects on a limit, a source error or a
 * write error, after any write in flight has finished (the caller may then close and remove).
 */
export async function streamToFile(fh: FileHandle, source: AsyncIterable<Uint8Array>, limits: ReceiveLimits, progress?: WriteProgress): Promise<Written> {
  const hash = createHash("sha256");
  let size = 0;
  let written = 0;
  let batch: Uint8Array[] = [];
  let batched = 0;
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  // writes run one after the other: each batch is chained on the previous one
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (batched > 0) {
      const chunks = batch;
      const n = batched;
      batch = [];
      batched = 0;
      writing = writing.then(async () => {
        await writeAll(fh, chunks);
        written += n;
        progress?.onWritten(written);
      });
      // a write started by the timer is awaited by the loop's next flush; until then its failure
      // must not count as unhandled
      writing.catch(() => undefined);
    }
    return writing;
  };
  try {
    for await (const chunk of source) {
      size += chunk.length;
      checkLimits(size, limits);
      hash.update(chunk);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= WRITE_BATCH_BYTES) await flush();
      else if (progress && timer === undefined) timer = setTimeout(() => void flush(), progress.afterMs);
      noteTransferred(chunk.length);
    }
    await flush();
  } catch (err) {
    clearTimeout(timer);
    await writing.catch(() => undefined);
    throw err;
  }
  return { size, sha256: hash.digest("hex") };
}

/** Writes all of `chunks` at the file's position, however many calls a short write takes. */
async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  const rest = chunks.filter((c) => c.length > 0);
  while (rest.length > 0) {
    let written = (await fh.writev(rest)).bytesWritten;
    while (rest.length > 0 && written >= rest[0]!.length) written -= rest.shift()!.length;
    if (written > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(written);
  }
}

function checkLimits(size: number, limits: ReceiveLimits): void {
  if (size > limits.maxBytes) throw new MatrixError("M_TOO_LARGE", 413, `Upload exceeds the maximum size of ${limits.maxBytes} bytes`);
  // spec (content repository, security considerations): 403 M_FORBIDDEN for per-user limits
  if (limits.quotaLeft !== undefined && size > limits.quotaLeft) throw new MatrixError("M_FORBIDDEN", 403, "Upload exceeds your media quota");
}
