// The folder view's previews, as a Lit reactive controller of <ent-dossier>: each image's latest
// version decrypted once into a thumbnail, at each snapshot; a PDF's first page only when its
// details (the versions panel) open, since it means fetching and decrypting the whole file (small
// ones only: preview-kind.ts; the bytes are counted as they come, since the size in the message is
// the sender's word: preview-download.ts). Object URLs, released when the view goes; what is still
// being fetched (an image's thumbnail as a PDF) or drawn then is aborted.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { DossierSnapshot, FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import { previewDownload } from "../../core/dossiers/preview-download.ts";
import { MAX_PDF_PREVIEW_BYTES, previewKind } from "../../core/dossiers/preview-kind.ts";

/** Time for a PDF's bytes to come, then (apart) for its first page to be drawn. */
export const PDF_PREVIEW_TIMEOUT_MS = 15_000;

export interface PreviewLimits {
  maxPdfBytes: number;
  timeoutMs: number;
}

export type PreviewState = "loading" | "failed";

export class DossierPreviews implements ReactiveController {
  /** Object URLs of decrypted thumbnails and first pages, by version event id. */
  urls: ReadonlyMap<string, string> = new Map();
  /** Versions asked for and not shown (yet): loading, or failed (the plain file icon then). */
  readonly states = new Map<string, PreviewState>();
  private readonly host: ReactiveControllerHost;
  private readonly port: () => DossiersPort;
  private readonly limits: PreviewLimits;
  /** Aborted when the view goes: downloads and drawings in flight stop. */
  private stop = new AbortController();

  constructor(host: ReactiveControllerHost, port: () => DossiersPort, limits: PreviewLimits = { maxPdfBytes: MAX_PDF_PREVIEW_BYTES, timeoutMs: PDF_PREVIEW_TIMEOUT_MS }) {
    this.host = host;
    this.port = port;
    this.limits = limits;
    host.addController(this);
  }

  hostConnected(): void {
    if (this.stop.signal.aborted) this.stop = new AbortController();
  }

  hostDisconnected(): void {
    this.stop.abort(new DOMException("the dossier view was closed", "AbortError"));
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    // Asked again at the next snapshot if the view comes back.
    this.urls = new Map();
    this.states.clear();
  }

  /** Asks for the previews of the snapshot's images not asked for yet (a failure leaves no preview). */
  load(snap: DossierSnapshot): void {
    for (const e of snap.entries.values()) {
      const v = e.versions[e.versions.length - 1];
      if (v !== undefined && previewKind(v) === "image") this.ask(v);
    }
  }

  /** A PDF's first page (or an image), asked when its details are shown. */
  show(v: FileVersion): void {
    if (previewKind(v, this.limits.maxPdfBytes) !== undefined) this.ask(v);
  }

  /** An image's thumbnail from the port; a PDF decrypted whole, then its first page drawn here. */
  private async fetch(v: FileVersion, signal: AbortSignal): Promise<Blob | undefined> {
    if (previewKind(v, this.limits.maxPdfBytes) !== "pdf") return this.port().preview(v, signal);
    const pdf = await previewDownload((...a) => this.port().download(...a), v, { maxBytes: this.limits.maxPdfBytes, timeoutMs: this.limits.timeoutMs, signal });
    const { renderPdfFirstPage } = await import("./pdf-first-page.ts");
    return renderPdfFirstPage(new Uint8Array(await pdf.arrayBuffer()), { timeoutMs: this.limits.timeoutMs, signal });
  }

  private ask(v: FileVersion): void {
    if (this.urls.has(v.eventId) || this.states.has(v.eventId)) return;
    this.states.set(v.eventId, "loading");
    const { signal } = this.stop;
    void this.fetch(v, signal).then((blob) => {
      // The view went meanwhile: its maps were emptied, it asks again if it comes back.
      if (signal.aborted) return;
      if (blob === undefined) {
        this.states.set(v.eventId, "failed");
      } else {
        this.states.delete(v.eventId);
        this.urls = new Map(this.urls).set(v.eventId, URL.createObjectURL(blob));
      }
      this.host.requestUpdate();
    }, () => {
      if (signal.aborted) return;
      this.states.set(v.eventId, "failed");
      this.host.requestUpdate();
    });
  }
}
