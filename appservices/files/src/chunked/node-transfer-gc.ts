// Node only. The GET of a part allocates a buffer per socket read inside node:http (the body
// chunks, copies of them, are freed by the downloader once used, but the read buffers are
// node:http's own). V8 collects them only once ≈ 64 MB of such external memory has piled up, then
// frees them all at once, and the C library gives that memory back to the system: the next reads
// touch fresh pages again, and on a VM a page fault is expensive (≈ 11 µs a 4 KiB page here). A
// minor collection (a scavenge of the young generation, well under a millisecond) every few MiB
// frees them while their memory is still in the allocator's hands. Measured with
// tests/bench/dossier.ts: 512 MiB downloaded, first run in a process, 5.7 k minor faults per GiB
// instead of 202 k, 2.9 CPU s per GiB instead of 7.1 (load 10). The homeserver does the same
// (homeserver/src/server/media/transfer-gc.ts).
import v8 from "node:v8";
import vm from "node:vm";

const EVERY_BYTES = 8 * 1024 * 1024;

type Gc = (options?: { type?: "minor" | "major" }) => void;
let gc: Gc | undefined;
let moved = 0;

function collector(): Gc {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as Gc;
    } catch {
      gc = () => undefined; // not available: transfers still work, with more memory and more faults
    }
  }
  return gc;
}

/** Call with the size of each chunk a transfer received: a minor collection every EVERY_BYTES. */
export function noteReceived(bytes: number): void {
  moved += bytes;
  if (moved < EVERY_BYTES) return;
  moved = 0;
  collector()({ type: "minor" });
}
