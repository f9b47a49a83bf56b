// GET /_matrix/federation/v1/media/download/{mediaId}, GET /_matrix/federation/v1/media/thumbnail/{mediaId}
// Our media for other servers (X-Matrix authenticated): multipart/mixed with an empty JSON
// metadata part and the file part, streamed from disk (never buffered).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#content-repository
import { Readable } from "node:stream";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { MediaStore } from "../../../storage/media-store.ts";
import type { ServerContext } from "../../context.ts";
import type { RequestContext } from "../../http/request-context.ts";
import type { Handler, HandlerResult } from "../../http/router.ts";
import { MediaFiles } from "../../media/media-files.ts";
import { contentDisposition, isInlineSafe, mimeEssence } from "../../media/media-headers.ts";
import { MediaRepository } from "../../media/media-repository.ts";
import { Thumbnailer } from "../../media/thumbnailer.ts";
import { mediaEnvelope } from "../../federation/multipart-mixed.ts";
import { thumbnailParams, timeoutParam } from "../media/media-params.ts";
import { fed } from "./common.ts";

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

interface FilePart {
  path: string;
  size: number;
  contentType: string;
  contentDisposition: string;
}

export function federationMediaHandlers(s: ServerContext): { download: Handler; thumbnail: Handler } {
  const files = new MediaFiles({ root: s.config.media.path });
  // local media only: no remote source, so another server cannot make us fetch from a third one
  const media = new MediaRepository({ store: new MediaStore({ db: s.db }), files, thumbnailer: new Thumbnailer({ files }),
    clock: s.clock, log: s.log.child({ component: "federation-media" }), serverName: s.serverName, config: s.config.media });
  // callers authenticate first (once), so strangers learn nothing from parameter errors
  const find = async (ctx: RequestContext): ReturnType<MediaRepository["find"]> => {
    const mediaId = ctx.params["mediaId"] ?? "";
    if (!MEDIA_ID.test(mediaId)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid media ID");
    return media.find(s.serverName, mediaId, timeoutParam(ctx));
  };
  return {
    async download(ctx) {
      await fed(s).authenticate(ctx);
      const m = await find(ctx);
      const disposition = contentDisposition(isInlineSafe(m.contentType) ? "inline" : "attachment", m.uploadName);
      return multipartFile(ctx, files, { path: m.path, size: m.size, contentType: m.contentType, contentDisposition: disposition });
    },
    async thumbnail(ctx) {
      await fed(s).authenticate(ctx);
      const req = thumbnailParams(ctx);
      const m = await find(ctx);
      const t = await media.thumbnail(m, req);
      const part = t.kind === "original" ? { path: m.path, size: m.size, contentType: m.contentType } : t;
      const name = `thumbnail.${mimeEssence(part.contentType).split("/")[1] ?? "bin"}`;
      return multipartFile(ctx, files, { path: part.path, size: part.size, contentType: part.contentType, contentDisposition: contentDisposition("inline", name) });
    },
  };
}

function multipartFile(ctx: RequestContext, files: MediaFiles, f: FilePart): HandlerResult {
  const env = mediaEnvelope(f);
  const file = files.read(f.path);
  async function* parts(): AsyncGenerator<Buffer> {
    yield env.head;
    for await (const chunk of file as AsyncIterable<Buffer>) yield chunk;
    yield env.tail;
  }
  const stream = Readable.from(parts(), { objectMode: false });
  // the caller may hang up mid-file: close the file then (piping alone would leave it open)
  const abort = (): void => {
    stream.destroy();
    file.destroy();
  };
  ctx.req.socket.once("close", abort);
  stream.once("close", () => ctx.req.socket.off("close", abort));
  return {
    status: 200, stream,
    headers: { "Content-Type": env.contentType, "Content-Length": String(env.head.length + f.size + env.tail.length) },
  };
}
