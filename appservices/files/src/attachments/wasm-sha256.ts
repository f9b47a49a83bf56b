// SHA-256 in WebAssembly (hash-wasm), behind the synchronous, incremental Sha256 interface of
// backend.ts. hash-wasm instances are created asynchronously, so ONE instance serves every hasher:
// each hasher keeps its own saved state (a few hundred bytes) and the instance loads the state of
// whichever hasher calls it (JS runs one call at a time, so this is safe). A transfer hashes with
// one or two hashers, so the instance switches state at most once per chunk.
import { createSHA256 } from "hash-wasm";
import type { Sha256 } from "./backend.ts";

interface Slot {
  /** The saved state while another hasher holds the instance (undefined while this one holds it). */
  state: Uint8Array | undefined;
  digest: Uint8Array | undefined;
}

/** Loads the WebAssembly module once and returns a factory of independent SHA-256 hashers. */
export async function loadWasmSha256(): Promise<() => Sha256> {
  const wasm = await createSHA256();
  const initial = wasm.init().save();
  let owner: Slot | undefined;
  const hold = (slot: Slot): void => {
    if (owner === slot) return;
    if (owner !== undefined) owner.state = wasm.save();
    wasm.load(slot.state!);
    slot.state = undefined;
    owner = slot;
  };
  const make = (state: Uint8Array): Sha256 => {
    const slot: Slot = { state, digest: undefined };
    return {
      update(chunk) {
        if (slot.digest !== undefined) throw new Error("sha256: update after digest");
        hold(slot);
        wasm.update(chunk);
      },
      digest() {
        if (slot.digest === undefined) {
          hold(slot);
          slot.digest = wasm.digest("binary");
          owner = undefined; // digest() leaves the instance unusable until the next load()
        }
        return slot.digest.slice();
      },
      copy() {
        if (slot.digest !== undefined) throw new Error("sha256: copy after digest");
        return make(owner === slot ? wasm.save() : slot.state!);
      },
    };
  };
  return () => make(initial);
}
