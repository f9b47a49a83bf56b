// A PDF's first page as a PNG, drawn in the page by pdf.js from the decrypted bytes (the server
// only ever has ciphertext). Loaded on first use only (dossier-previews.ts imports this file
// dynamically: pdf.js and its worker are chunks of their own, the worker a file Vite emits).
// Bounded: the caller passes small PDFs only (preview-kind.ts, bytes counted by preview-download.ts);
// a timeout, or the caller's signal (the view went), stops a document that takes too long, and
// pdf.js parses in its worker, not on the page's main thread.
// Untrusted documents (any dossier member may send one): pdf.js 6 has no `isEvalSupported` option
// any more because it no longer compiles a document's PostScript functions with `new Function`
// (an interpreter, or WebAssembly it generates); pdf-first-page.test.ts checks that the worker we
// ship has no `new Function`/`eval`, so an upgrade that brings them back fails there.
import { getDocument, GlobalWorkerOptions } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

export interface PdfPreviewOptions {
  /** Width of the image in pixels (its height follows the page, at most 2 × the width). */
  width?: number;
  timeoutMs?: number;
  /** Aborted when the image is no longer wanted: rejects with its reason, the document destroyed. */
  signal?: AbortSignal;
}

export class PdfPreviewTimeout extends Error {
  override name = "PdfPreviewTimeout";
}

export async function renderPdfFirstPage(data: Uint8Array, o: PdfPreviewOptions = {}): Promise<Blob> {
  const width = o.width ?? 480;
  GlobalWorkerOptions.workerSrc = workerUrl;
  // No fonts or scripts from the document beyond what drawing needs; the bytes are handed over (not copied).
  const task = getDocument({ data, enableXfa: false, stopAtErrors: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PdfPreviewTimeout(`no first page after ${o.timeoutMs ?? 15_000} ms`)), o.timeoutMs ?? 15_000);
    stopped = () => reject(o.signal?.reason as Error);
    if (o.signal?.aborted) stopped();
    else o.signal?.addEventListener("abort", stopped, { once: true });
  });
  try {
    return await Promise.race([draw(task.promise, width), timeout]);
  } finally {
    clearTimeout(timer);
    if (stopped !== undefined) o.signal?.removeEventListener("abort", stopped);
    await task.destroy();
  }
}

async function draw(loading: ReturnType<typeof getDocument>["promise"], width: number): Promise<Blob> {
  const doc = await loading;
  const page = await doc.getPage(1);
  const base = page.getViewport({ scale: 1 });
  const scale = Math.min(width / base.width, (2 * width) / base.height, 4);
  const viewport = page.getViewport({ scale });
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.ceil(viewport.width));
  canvas.height = Math.max(1, Math.ceil(viewport.height));
  await page.render({ canvas, viewport }).promise;
  return new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b !== null ? resolve(b) : reject(new Error("canvas gave no image"))), "image/png"));
}
