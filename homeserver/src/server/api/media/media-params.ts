// Parameters of the media endpoints, validated before anything touches the disk.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#security-considerations-5 (mxc sanitising)
import { MatrixError } from "../../../spec/matrix-error.ts";
import { isValidServerName } from "../../../spec/ids.ts";
import type { RequestContext } from "../../http/request-context.ts";
import { checkFileName } from "../../media/media-headers.ts";
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from "../../media/media-repository.ts";
import type { ThumbnailRequest } from "../../media/thumbnailer.ts";
import { queryInt } from "../json.ts";

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;
export const MAX_THUMBNAIL_SIDE = 2000;

export function mediaParams(ctx: RequestContext): { serverName: string; mediaId: string } {
  const serverName = ctx.params["serverName"] ?? "";
  const mediaId = ctx.params["mediaId"] ?? "";
  if (!isValidServerName(serverName)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid server name");
  // only [A-Za-z0-9_-]: the spec's allow-list against path traversal
  if (!MEDIA_ID.test(mediaId)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid media ID");
  return { serverName, mediaId };
}

/** The {fileName} path segment of download, when present. */
export function fileNameParam(ctx: RequestContext): string | undefined {
  const name = ctx.params["fileName"];
  return name === undefined ? undefined : checkFileName(name);
}

/** ?filename= of uploads: optional, an empty one counts as absent. */
export function uploadFileName(ctx: RequestContext): string | undefined {
  const name = ctx.query.get("filename");
  return name === null || name === "" ? undefined : checkFileName(name);
}

export function timeoutParam(ctx: RequestContext): number {
  return queryInt(ctx.query, "timeout_ms", DEFAULT_WAIT_MS, 0, MAX_WAIT_MS);
}

export function thumbnailParams(ctx: RequestContext): ThumbnailRequest {
  const method = ctx.query.get("method") ?? "scale";
  if (method !== "crop" && method !== "scale") throw new MatrixError("M_INVALID_PARAM", 400, "'method' must be 'crop' or 'scale'");
  const animated = ctx.query.get("animated");
  if (animated !== null && animated !== "true" && animated !== "false") throw new MatrixError("M_INVALID_PARAM", 400, "'animated' must be true or false");
  return { width: side(ctx, "width"), height: side(ctx, "height"), method, animated: animated === "true" };
}

function side(ctx: RequestContext, key: string): number {
  const raw = ctx.query.get(key);
  if (raw === null || raw === "") throw new MatrixError("M_MISSING_PARAM", 400, `Missing '${key}'`);
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_THUMBNAIL_SIDE)) throw new MatrixError("M_INVALID_PARAM", 400, `'${key}' must be an integer from 1 to ${MAX_THUMBNAIL_SIDE}`);
  return n;
}
