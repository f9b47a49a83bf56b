// GET /_matrix/media/{r0,v3}/download/{serverName}/{mediaId}[/{fileName}] and
// GET /_matrix/media/{r0,v3}/thumbnail/{serverName}/{mediaId} on the FEDERATION listener only.
// Servers without authenticated media (older Synapse) fetch our users' files there, without
// X-Matrix; without these routes their users see our images and files as broken. Local media
// only (another server cannot make us fetch from a third one). Off with
// media.legacy_federation_download: false, and then the paths answer 404 M_UNRECOGNIZED, which
// tells those servers there is nothing to fetch here. Never on the client listener: there the
// spec froze these endpoints (media.allow_unauthenticated_legacy).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixmediav3downloadservernamemediaid
import { MediaStore } from "../../../storage/media-store.ts";
import type { ServerContext } from "../../context.ts";
import type { Router } from "../../http/router.ts";
import { MediaFiles } from "../../media/media-files.ts";
import { MediaRepository } from "../../media/media-repository.ts";
import { Thumbnailer } from "../../media/thumbnailer.ts";
import { downloadHandlers } from "../media/download.ts";

export function federationLegacyMediaRoutes(r: Router, s: ServerContext): void {
  if (!s.config.media.legacyFederationDownload) return;
  const files = new MediaFiles({ root: s.config.media.path });
  // no remote source: local media only
  const media = new MediaRepository({ store: new MediaStore({ db: s.db }), files, thumbnailer: new Thumbnailer({ files }),
    clock: s.clock, log: s.log.child({ component: "federation-legacy-media" }), serverName: s.serverName, config: s.config.media });
  const dl = downloadHandlers(s, media, files, true);
  for (const v of ["r0", "v3"]) {
    r.add("GET", `/_matrix/media/${v}/download/{serverName}/{mediaId}`, dl.legacyDownload);
    r.add("GET", `/_matrix/media/${v}/download/{serverName}/{mediaId}/{fileName}`, dl.legacyDownload);
    r.add("GET", `/_matrix/media/${v}/thumbnail/{serverName}/{mediaId}`, dl.legacyThumbnail);
  }
}
