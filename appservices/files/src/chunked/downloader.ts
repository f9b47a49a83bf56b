// Downloads a file sent in parts into a sink, streamed: the manifest first, then each part
// decrypted as it arrives and checked against its ciphertext hash and size, and at the end the
// whole file's SHA-256. On any mismatch the sink is ABORTED (a file sink then drops its temp file).
import type { AttachmentBackend } from "../attachments/backend.ts";
import { fromBase64 } from "../attachments/base64.ts";
import { decryptingStream } from "../attachments/attachment-stream.ts";
import type { EncryptedFile } from "../attachments/encrypted-file.ts";
import { ManifestError, parseManifest, type PartsManifest } from "./manifest.ts";
import type { MediaTransport } from "./media-transport.ts";

/** A manifest is small (about 400 bytes a part); more than this is refused unread. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

export interface DownloadOptions {
  manifestFile: EncryptedFile;
  transport: MediaTransport;
  backend: AttachmentBackend;
  sink: WritableStream<Uint8Array>;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
}

export async function fetchManifest(transport: MediaTransport, backend: AttachmentBackend, manifestFile: EncryptedFile, signal?: AbortSignal): Promise<PartsManifest> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  await (await transport.get(manifestFile.url, signal)).pipeThrough(decryptingStream(backend, manifestFile)).pipeTo(new WritableStream({
    write(c) {
      n += c.length;
      if (n > MAX_MANIFEST_BYTES) throw new ManifestError("parts manifest: too large");
      chunks.push(c);
    },
  }));
  const bytes = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new ManifestError("parts manifest: not JSON");
  }
  return parseManifest(raw);
}

export async function downloadParts(o: DownloadOptions): Promise<PartsManifest> {
  try {
    const manifest = await fetchManifest(o.transport, o.backend, o.manifestFile, o.signal);
    const whole = o.backend.sha256();
    let received = 0;
    for (const part of manifest.parts) {
      const body = await o.transport.get(part.file.url, o.signal);
      await body
        .pipeThrough(decryptingStream(o.backend, part.file, part.size))
        .pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
          transform(c, ctl) {
            whole.update(c);
            received += c.length;
            o.onProgress?.(received, manifest.size);
            ctl.enqueue(c);
          },
        }))
        .pipeTo(o.sink, { preventClose: true, preventAbort: true, preventCancel: false, ...(o.signal ? { signal: o.signal } : {}) });
    }
    const expected = fromBase64(manifest.sha256);
    const got = whole.digest();
    if (!expected || expected.length !== got.length || expected.some((b, i) => b !== got[i])) throw new ManifestError("parts manifest: the whole file's SHA-256 does not match");
    await o.sink.close();
    return manifest;
  } catch (e: unknown) {
    await o.sink.abort(e).catch(() => undefined);
    throw e;
  }
}
