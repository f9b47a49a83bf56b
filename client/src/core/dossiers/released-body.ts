// The body of the download service worker's response (download-sw.ts) for a job it runs itself:
// the decrypted chunks the downloader writes, queued up to a bound, handed one at a time to the
// browser's download, and each one's memory FREED as soon as the browser has taken its bytes, not
// at the worker's next garbage collection.
//
// Why: every chunk is a fresh WebCrypto output (worker-download.ts's DECRYPT_CALL, 512 KiB; 64 KiB
// when this was written). Dropped, they waited for a collection of the service worker's isolate;
// tens of MiB of them piled up (the renderer's RSS grew +86…+108 MiB during a download), and
// freed all at once their memory went back to the system, so the next outputs landed in fresh
// pages: a page fault per 4 KiB, ≈ 12 µs each on the project's VM.
//
// When is a chunk taken? The browser reads a stream body through Blink's ReadableStreamBytesConsumer,
// which asks the stream for its next chunk only once the bytes of the one it holds are all copied
// out (into the data pipe towards the download). With a high-water mark of 0 the outer stream
// calls `pull` only for a read the consumer asked for, so when `pull` runs again, the chunk handed
// by the previous `pull` is done with: it is released then (release-buffer.ts: the bytes freed now).
// That is Blink's behaviour, not the Streams spec's promise: a consumer reading ahead would get
// detached (empty) chunks and the saved file would be short, with no hash checked after this point.
// The guard is the Chromium tests that compare the saved file's SHA-256
// (tests/browser/dossier-download-stream.test.ts, dossier-transfer-resume.test.ts) and the bench
// (dossier-web.ts hashes every download). So: only for the body of a Response the service worker
// answers a download with (jobBody), never for a body a page could clone or tee.
import { releaseBuffer } from "../../../../appservices/files/src/attachments/release-buffer.ts";

/**
 * The bound of each side of the queue between the downloader and the browser. A chunk is taken
 * while a side holds less than this, so with chunks of DECRYPT_CALL (512 KiB, bigger than the bound)
 * each side holds ONE chunk: at most three outputs (1.5 MiB) between the decryption and the
 * browser's data pipe (one queued on each side, one being copied out), and the downloader's next
 * write waits. Smaller chunks: up to the bound plus the chunk that reached it, on each side.
 */
export const QUEUE_BYTES = 128 * 1024;

/**
 * Whether this browser's body reader is Blink's (the one whose behaviour releasing relies on):
 * Chromium-based browsers expose `navigator.userAgentData` (in workers too), Firefox and Safari do
 * not. Elsewhere chunks are left to the collector: more memory, never a short file.
 */
export function releasesSafely(nav: object = navigator): boolean {
  return "userAgentData" in nav;
}

/** No release: the chunk stays whole until collected (browsers other than Blink's). */
export const keepChunk = (): void => undefined;

/**
 * A stream of `source`'s chunks for a consumer that reads one chunk at a time and is done with it
 * when it asks for the next (the browser's response body reader): the previous chunk is released
 * (`release`, default releaseBuffer) when the next is asked for, and on the end or a cancel.
 * `onCancel` runs when the consumer cancels (the agent cancelled the download). Only chunks nobody
 * else reads may go through it.
 */
export function releasedBody(source: ReadableStream<Uint8Array>, onCancel: (reason: unknown) => void, release: (chunk: Uint8Array) => void = releaseBuffer): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let handed: Uint8Array | undefined;
  const drop = (): void => {
    if (handed !== undefined) release(handed);
    handed = undefined;
  };
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      drop();
      const r = await reader.read();
      if (r.done) c.close();
      else {
        handed = r.value;
        c.enqueue(r.value);
      }
    },
    cancel(reason) {
      drop();
      onCancel(reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * The response body of a job: `writable` for the downloader (its writes wait once a side holds
 * QUEUE_BYTES or more: see there), `body` for the Response (releasedBody).
 */
export function jobBody(onCancel: (reason: unknown) => void, release?: (chunk: Uint8Array) => void): { writable: WritableStream<Uint8Array>; body: ReadableStream<Uint8Array> } {
  const bytes = (): QueuingStrategy<Uint8Array> => ({ highWaterMark: QUEUE_BYTES, size: (c) => c.byteLength });
  const queue = new TransformStream<Uint8Array, Uint8Array>(undefined, bytes(), bytes());
  return { writable: queue.writable, body: releasedBody(queue.readable, onCancel, release) };
}
