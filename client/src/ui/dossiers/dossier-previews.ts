// The folder view's image previews, as a Lit reactive controller of <ent-dossier>: each image's
// latest version decrypted once into a thumbnail (an object URL, released when the view goes).
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { DossierSnapshot } from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";

export class DossierPreviews implements ReactiveController {
  /** Object URLs of decrypted thumbnails, by version event id. */
  urls: ReadonlyMap<string, string> = new Map();
  private readonly asked = new Set<string>();
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
    this.asked.clear();
  }

  /** Asks for the previews of the snapshot's images not asked for yet (a failure leaves no preview). */
  load(snap: DossierSnapshot): void {
    for (const e of snap.entries.values()) {
      const v = e.versions[e.versions.length - 1];
      if (v === undefined || v.msgtype !== "m.image" || this.asked.has(v.eventId)) continue;
      this.asked.add(v.eventId);
      void this.port().preview(v).then((blob) => {
        if (blob === undefined) return;
        this.urls = new Map(this.urls).set(v.eventId, URL.createObjectURL(blob));
        this.host.requestUpdate();
      }, () => undefined);
    }
  }
}
