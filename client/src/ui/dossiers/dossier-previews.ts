// The folder view's previews, as a Lit reactive controller of <ent-dossier>: each image's latest
// version decrypted once into a thumbnail, at each snapshot; a PDF's first page only when its
// details (the versions panel) open, since it means fetching and decrypting the whole file (small
// ones only: preview-kind.ts). Object URLs, released when the view goes.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { DossierSnapshot, FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import { previewKind } from "../../core/dossiers/preview-kind.ts";

export type PreviewState = "loading" | "failed";

export class DossierPreviews implements ReactiveController {
  /** Object URLs of decrypted thumbnails and first pages, by version event id. */
  urls: ReadonlyMap<string, string> = new Map();
  /** Versions asked for and not shown (yet): loading, or failed (the plain file icon then). */
  readonly states = new Map<string, PreviewState>();
  private readonly host: ReactiveControllerHost;
  private readonly port: () => DossiersPort;

  constructor(host: ReactiveControllerHost, port: () => DossiersPort) {
    this.host = host;
    this.port = port;
    host.addController(this);
  }

  hostDisconnected(): void {
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
    if (previewKind(v) !== undefined) this.ask(v);
  }

  /** An image's thumbnail from the port; a PDF decrypted whole, then its first page drawn here. */
  private async fetch(v: FileVersion): Promise<Blob | undefined> {
    if (previewKind(v) !== "pdf") return this.port().preview(v);
    const pdf = await this.port().download(v);
    const { renderPdfFirstPage } = await import("./pdf-first-page.ts");
    return renderPdfFirstPage(new Uint8Array(await pdf.arrayBuffer()));
  }

  private ask(v: FileVersion): void {
    if (this.urls.has(v.eventId) || this.states.has(v.eventId)) return;
    this.states.set(v.eventId, "loading");
    void this.fetch(v).then((blob) => {
      if (blob === undefined) {
        this.states.set(v.eventId, "failed");
      } else {
        this.states.delete(v.eventId);
        this.urls = new Map(this.urls).set(v.eventId, URL.createObjectURL(blob));
      }
      this.host.requestUpdate();
    }, () => {
      this.states.set(v.eventId, "failed");
      this.host.requestUpdate();
    });
  }
}
