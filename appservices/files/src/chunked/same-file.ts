// Whether the file an agent picks again to resume an upload (after a page reload) is the file the
// upload state was made for. Name and size are not enough: another file of the same size would
// mix its bytes with the parts already on the server, and a browser does not check the whole
// file's hash on download. The check: same size, and the first acknowledged part, encrypted again
// with its stored key and iv, gives the ciphertext hash the server acknowledged (CTR with the same
// key and iv is deterministic). It reads one part (64 MiB at most in the page: about a second).
import type { AttachmentBackend } from "../attachments/backend.ts";
import { fromBase64, toBase64 } from "../attachments/base64.ts";
import type { UploadState } from "./upload-state.ts";

/** Reads `length` bytes of the picked file from `offset` (the uploader's PartSource). */
export type ReadRange = (offset: number, length: number) => ReadableStream<Uint8Array>;

export type SameFileVerdict = "same" | "different-size" | "different-content" | "nothing-to-compare";

export async function checkSameFile(state: UploadState, size: number, read: ReadRange, backend: AttachmentBackend): Promise<SameFileVerdict> {
  if (state.size !== size) return "different-size";
  const acked = state.parts.find((p) => p.sha256 !== undefined);
  if (acked === undefined) return "nothing-to-compare";
  const key = fromBase64(acked.key);
  const iv = fromBase64(acked.iv);
  if (key === undefined || iv === undefined) return "different-content";
  const offset = acked.index * state.partSize;
  const length = Math.min(state.partSize, size - offset);
  const cipher = backend.aesCtr(key, iv);
  const hash = backend.sha256();
  const reader = read(offset, length).getReader();
  let n = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      n += r.value.length;
      hash.update(await cipher.update(r.value));
    }
  } finally {
    reader.releaseLock();
  }
  hash.update(await cipher.final());
  return n === length && toBase64(hash.digest()) === acked.sha256 ? "same" : "different-content";
}
