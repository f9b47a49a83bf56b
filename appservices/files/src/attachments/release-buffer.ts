// Frees a buffer's memory now rather than at a garbage collection. A dedicated worker's JS heap
// stays tiny, so the buffers an upload drops (WebCrypto's outputs, the file's slices) pile up
// until a collection: that pile was most of the page's memory growth during an upload (issue 15).
//
// In a browser the bytes of a buffer made by the browser (WebCrypto, Blob.arrayBuffer()) are also
// held by the browser's own object, which only a collection frees: ArrayBuffer.prototype.transfer(0)
// detaches the JS side alone and hides the bytes from the collector's count, so they pile up even
// longer (tests/bench/buffer-release.ts, 4096 × 64 KiB WebCrypto outputs in a worker: renderer RSS
// peak growth +120…+158 MiB dropped as they are, +275…+353 with transfer(0)). Posted (transferred)
// to a MessagePort whose other end is closed, they leave with the message, which is dropped:
// +20…+67 MiB, and faster. Node keeps such a message queued instead; there, where nothing else
// holds the bytes, transfer(0) frees them.

interface Drain { postMessage(message: null, transfer: ArrayBuffer[]): void }

let drain: Drain | undefined;

/** A MessagePort whose peer is closed, in a browser (a window or a worker); undefined elsewhere (Node). */
function browserDrain(): Drain | undefined {
  const g = globalThis as Record<string, unknown>;
  if (g["Window"] === undefined && g["WorkerGlobalScope"] === undefined) return undefined;
  if (drain === undefined) {
    const c = new (g["MessageChannel"] as new () => { port1: Drain; port2: { close(): void } })();
    c.port2.close();
    drain = c.port1;
  }
  return drain;
}

/**
 * Detaches the buffer under `view` and frees its bytes, when the view spans all of it (a buffer of
 * its own, not a slice of a pool): every view on it is empty afterwards. Only for bytes nobody
 * else reads any more. True when released.
 */
export function releaseBuffer(view: Uint8Array): boolean {
  const b = view.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer; detached?: boolean };
  // a SharedArrayBuffer has no transfer(); a detached one is empty
  if (typeof b.transfer !== "function" || b.detached === true || b.byteLength === 0) return false;
  if (view.byteOffset !== 0 || view.byteLength !== b.byteLength) return false;
  const d = browserDrain();
  if (d !== undefined) d.postMessage(null, [b]);
  else b.transfer(0);
  return true;
}
