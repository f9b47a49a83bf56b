// A Blob from fetch (`Response.blob()`) in a browser is a handle: its bytes are held by the
// browser process (or its disk) until the page's Blob object is collected. The JS engine does not
// know what such a handle holds (a few bytes of heap), so in a worker that makes little garbage
// otherwise it collects rarely, and the browser keeps every part already read: downloading 1 GiB
// in 16 MiB parts through the download service worker, the browser process grew +646 MiB once the
// decrypted chunks were freed at once (released-body.ts) instead of waiting for collections
// (+49 MiB while their garbage made the worker collect often).
//
// `weighBlob` gives the Blob a weight the collector counts: an ArrayBuffer of the Blob's size,
// never read nor written (the system maps its pages only when touched, so it costs no memory), kept
// alive exactly as long as the Blob (a WeakMap entry). The engine counts ArrayBuffers as external
// memory and collects once they add up (every few tens of MiB), taking the dropped Blobs along.
const weights = new WeakMap<Blob, ArrayBuffer>();

/** `blob`, now weighing its size in the JS engine's count of external memory. */
export function weighBlob(blob: Blob): Blob {
  if (blob.size > 0 && !weights.has(blob)) weights.set(blob, new ArrayBuffer(blob.size));
  return blob;
}

/** The weight given to `blob` (tests). */
export function blobWeight(blob: Blob): number {
  return weights.get(blob)?.byteLength ?? 0;
}
