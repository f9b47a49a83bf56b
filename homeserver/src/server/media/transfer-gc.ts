// Big transfers allocate a new Buffer per socket read or file read; V8 only collects them once
// about 64 MB of such external memory has piled up, so a 4 GiB upload would hold that much for
// nothing. A minor GC (a scavenge of the young generation, ~50 µs) every few MiB moved keeps the
// homeserver's memory flat during transfers. Measured with `npm run bench` (peak RSS growth).
import v8 from "node:v8";
import vm from "node:vm";

const EVERY_BYTES = 8 * 1024 * 1024;

type Gc = (options?: { type?: "minor" | "major" }) => void;
let gc: Gc | undefined;
let moved = 0;

function collector(): Gc | undefined {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as Gc;
    } catch {
      gc = () => undefined; // not available: transfers still work, with more memory
    }
  }
  return gc;
}

/** Call with each chunk size read or written by a media transfer. */
export function noteTransferred(bytes: number): void {
  moved += bytes;
  if (moved < EVERY_BYTES) return;
  moved = 0;
  collector()?.({ type: "minor" });
}
