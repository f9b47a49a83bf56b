// The media repository's routes, one per line.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#content-repository
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MediaStore } from "../../../storage/media-store.ts";
import { MediaFiles } from "../../media/media-files.ts";
import { MediaRepository } from "../../media/media-repository.ts";
import { Thumbnailer } from "../../media/thumbnailer.ts";
import { uploadHandlers } from "./upload.ts";
import { downloadHandlers } from "./download.ts";
import { mediaConfigHandlers } from "./media-config.ts";

export function mediaRoutes(r: Router, s: ServerContext): void {
  // Built here until ServerContext carries a media service (then: move these three lines to compose.ts).
  const files = new MediaFiles({ root: s.config.media.path });
  const media = new MediaRepository({ store: new MediaStore({ db: s.db }), files, thumbnailer: new Thumbnailer({ files }),
    clock: s.clock, log: s.log.child({ component: "media" }), serverName: s.serverName, config: s.config.media,
    ...(s.federation ? { remote: s.federation.remoteMedia } : {}) });
  const up = uploadHandlers(s, media);
  const dl = downloadHandlers(s, media, files);
  const cfg = mediaConfigHandlers(s);

  r.add("POST", "/_matrix/media/v3/upload", up.upload, { rawBody: true });
  r.add("POST", "/_matrix/media/v1/create", up.create);
  r.add("PUT", "/_matrix/media/v3/upload/{serverName}/{mediaId}", up.uploadTo, { rawBody: true });
  r.add("GET", "/_matrix/client/v1/media/config", cfg.config);
  r.add("GET", "/_matrix/client/v1/media/preview_url", cfg.previewUrl);
  r.add("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}", dl.download);
  r.add("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}", dl.download);
  r.add("GET", "/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}", dl.thumbnail);
  r.add("GET", "/_matrix/media/v3/config", cfg.config);
  r.add("GET", "/_matrix/media/v3/preview_url", cfg.previewUrl);
  r.add("GET", "/_matrix/media/v3/download/{serverName}/{mediaId}", dl.legacyDownload);
  r.add("GET", "/_matrix/media/v3/download/{serverName}/{mediaId}/{fileName}", dl.legacyDownload);
  r.add("GET", "/_matrix/media/v3/thumbnail/{serverName}/{mediaId}", dl.legacyThumbnail);
}
