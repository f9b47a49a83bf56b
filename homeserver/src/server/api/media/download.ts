// GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}]
// GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}
// and the deprecated /_matrix/media/v3/download|thumbnail/..., frozen unless configured.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediadownloadservernamemediaid
import { basename } from "node:path";
import { notFound } from "../../../spec/matrix-error.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import type { Handler, HandlerResult } from "../../http/router.ts";
import type { MediaFiles } from "../../media/media-files.ts";
import { contentDisposition, isInlineSafe, mimeEssence } from "../../media/media-headers.ts";
import type { MediaRepository, StoredMedia } from "../../media/media-repository.ts";
import { fileNameParam, mediaParams, thumbnailParams, timeoutParam } from "./media-params.ts";
import { serveLive, serveMedia } from "./serve-media.ts";

const PRIVATE_CACHE = "private, max-age=31536000, immutable";
const PUBLIC_CACHE = "public, max-age=31536000, immutable";

export interface DownloadHandlers {
  download: Handler;
  thumbnail: Handler;
  legacyDownload: Handler;
  legacyThumbnail: Handler;
}

/** `legacyEnabled`: whether the unauthenticated legacy handlers serve (the federation listener has its own switch). */
export function downloadHandlers(
  s: ServerContext, media: MediaRepository, files: MediaFiles, legacyEnabled = s.config.media.allowUnauthenticatedLegacy,
): DownloadHandlers {
  // Who may download: any authenticated user, for any media of this server — what the spec's
  // authenticated media asks. Planned stricter check: serve media referenced in media_refs only
  // to users who are (or were) in one of those rooms, plus the uploader; that needs the room
  // code to record references when events are sent, which it does not do yet.
  const download = async (ctx: RequestContext, cache: string): Promise<HandlerResult> => {
    const { serverName, mediaId } = mediaParams(ctx);
    const fileName = fileNameParam(ctx);
    const m = await media.findForDownload(serverName, mediaId, timeoutParam(ctx));
    // spec: inline only for the allow-listed types; the name is the path's, else the upload's
    const disposition = contentDisposition(isInlineSafe(m.contentType) ? "inline" : "attachment", fileName ?? m.uploadName);
    const fromDisk = (s: StoredMedia): HandlerResult =>
      serveMedia(ctx, files, { path: s.path, size: s.size, contentType: s.contentType, contentDisposition: disposition, etag: s.sha256, cacheControl: cache });
    // remote media not cached yet goes out as it arrives from its origin
    if ("kind" in m) return serveLive(ctx, m, { contentDisposition: disposition, cacheControl: cache }, fromDisk);
    return fromDisk(m);
  };
  const thumbnail = async (ctx: RequestContext, cache: string): Promise<HandlerResult> => {
    const { serverName, mediaId } = mediaParams(ctx);
    const req = thumbnailParams(ctx);
    const m = await media.find(serverName, mediaId, timeoutParam(ctx));
    const t = await media.thumbnail(m, req);
    // spec: thumbnails are always inline; a smaller-than-requested original is served as is
    const served = t.kind === "original"
      ? { path: m.path, size: m.size, contentType: m.contentType, etag: m.sha256 }
      : { path: t.path, size: t.size, contentType: t.contentType, etag: `${m.sha256}-${basename(t.path)}` };
    const name = `thumbnail.${mimeEssence(served.contentType).split("/")[1] ?? "bin"}`;
    return serveMedia(ctx, files, { ...served, contentDisposition: contentDisposition("inline", name), cacheControl: cache });
  };
  const legacy = (fn: typeof download): Handler => async (ctx) => {
    // spec v1.11+: the unauthenticated endpoints are "frozen"; we freeze all media unless the
    // operator opts back in (config media.allow_unauthenticated_legacy)
    if (!legacyEnabled) throw notFound("Not found");
    return fn(ctx, PUBLIC_CACHE);
  };
  return {
    download: async (ctx) => {
      await s.auth.require(ctx);
      return download(ctx, PRIVATE_CACHE);
    },
    thumbnail: async (ctx) => {
      await s.auth.require(ctx);
      return thumbnail(ctx, PRIVATE_CACHE);
    },
    legacyDownload: legacy(download),
    legacyThumbnail: legacy(thumbnail),
  };
}
