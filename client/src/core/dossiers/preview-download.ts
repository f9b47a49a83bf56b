// A version's bytes for a preview (a PDF's first page), bounded whatever its message says. The
// sender writes `info.size` (and the ciphertext's hash, so a hash match proves nothing about size):
// the decrypted bytes are counted as they come and the download is stopped once past the cap. It
// is also stopped after a timeout, and when whoever asked no longer wants it (`signal`: the view
// went away). Stopping aborts the request itself, not only the wait for it.
import type { FileVersion } from "./dossier-model.ts";
import type { DossiersPort } from "./dossiers-port.ts";

/** More decrypted bytes came than a preview may fetch (the message said fewer). */
export class PreviewTooLarge extends Error {
  override name = "PreviewTooLarge";
}

/** The bytes did not all come within the preview's time. */
export class PreviewDownloadTimeout extends Error {
  override name = "PreviewDownloadTimeout";
}

export interface PreviewDownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Aborted when the preview is no longer wanted; its reason is what the download rejects with. */
  signal?: AbortSignal;
}

export async function previewDownload(download: DossiersPort["download"], v: FileVersion, o: PreviewDownloadOptions): Promise<Blob> {
  if (o.signal?.aborted) throw o.signal.reason;
  const stop = new AbortController();
  const abort = (reason: unknown): void => {
    if (!stop.signal.aborted) stop.abort(reason);
  };
  const gone = (): void => abort(o.signal?.reason);
  o.signal?.addEventListener("abort", gone, { once: true });
  const timer = setTimeout(() => abort(new PreviewDownloadTimeout(`not downloaded within ${o.timeoutMs} ms`)), o.timeoutMs);
  // Settles as soon as the download is stopped, even if the port were slow to honour the signal.
  const stopped = new Promise<never>((_, reject) => stop.signal.addEventListener("abort", () => reject(stop.signal.reason as Error), { once: true }));
  stopped.catch(() => undefined);
  const over = (received: number): void => {
    if (received > o.maxBytes) abort(new PreviewTooLarge(`more than ${o.maxBytes} bytes (the message says ${v.size ?? "nothing"})`));
  };
  try {
    return await Promise.race([download(v, over, stop.signal), stopped]);
  } catch (e: unknown) {
    // Why it was stopped, rather than the stream's own abort error.
    throw stop.signal.aborted ? stop.signal.reason : e;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", gone);
  }
}
