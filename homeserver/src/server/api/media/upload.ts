// POST /_matrix/media/v3/upload, POST /_matrix/media/v1/create,
// PUT /_matrix/media/v3/upload/{serverName}/{mediaId}
// Spec: https://spec.matrix.org/v1.16/client-server-api/#post_matrixmediav3upload
// Bodies are streamed to disk (rawBody routes): never read into memory.
import { MatrixError, notFound } from "../../../spec/matrix-error.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import type { Handler } from "../../http/router.ts";
import { normaliseContentType } from "../../media/media-headers.ts";
import type { MediaRepository, UploadInput } from "../../media/media-repository.ts";
import { mediaParams, uploadFileName } from "./media-params.ts";

export interface UploadHandlers {
  upload: Handler;
  create: Handler;
  uploadTo: Handler;
}

export function uploadHandlers(s: ServerContext, media: MediaRepository): UploadHandlers {
  const uploader = async (ctx: RequestContext): Promise<string> => {
    const who = await s.auth.require(ctx);
    if (who.isGuest) throw new MatrixError("M_GUEST_ACCESS_FORBIDDEN", 403, "Guests cannot upload media");
    return who.userId;
  };
  return {
    async upload(ctx) {
      const userId = await uploader(ctx);
      const mediaId = await receiving(ctx, media.upload(uploadInput(ctx, userId)));
      return { json: { content_uri: media.mxc(mediaId) } };
    },
    async create(ctx) {
      const userId = await uploader(ctx);
      const { mediaId, expiresTs } = await media.create(userId);
      return { json: { content_uri: media.mxc(mediaId), unused_expires_at: expiresTs } };
    },
    async uploadTo(ctx) {
      const userId = await uploader(ctx);
      const { serverName, mediaId } = mediaParams(ctx);
      if (serverName !== s.serverName) throw notFound("Unknown media ID");
      await receiving(ctx, media.uploadTo(mediaId, uploadInput(ctx, userId)));
      return { json: {} };
    },
  };
}

/** Most a refused upload may still send after we answered, before we drop the connection. */
const DISCARD_LIMIT = 8 * 1024 * 1024;

/**
 * When an upload is refused part-way (413, 403, …), the rest of the body is still on the wire.
 * Node only discards bodies nobody started reading, so we do it: read and drop up to
 * DISCARD_LIMIT, keeping the connection usable; past that, close it.
 */
async function receiving<T>(ctx: RequestContext, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const req = ctx.req;
    if (!req.complete && !req.destroyed) {
      let left = DISCARD_LIMIT;
      req.on("data", (chunk: Buffer) => {
        left -= chunk.length;
        if (left < 0) req.destroy();
      });
      req.resume();
    }
    throw err;
  }
}

function uploadInput(ctx: RequestContext, userId: string): UploadInput {
  const length = ctx.req.headers["content-length"];
  return {
    userId,
    contentType: normaliseContentType(ctx.req.headers["content-type"]),
    fileName: uploadFileName(ctx),
    declaredLength: length !== undefined && /^\d{1,16}$/.test(length) ? Number(length) : undefined,
    // destroyOnReturn: false — stopping early (413/403) must not destroy the socket, or the
    // error response could never be sent
    body: ctx.req.iterator({ destroyOnReturn: false }),
  };
}
