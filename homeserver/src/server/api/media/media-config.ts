// GET /_matrix/client/v1/media/config, GET /_matrix/client/v1/media/preview_url
// (and their deprecated /_matrix/media/v3/ twins, which always required a token).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1mediaconfig
import { MatrixError } from "../../../spec/matrix-error.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";

export function mediaConfigHandlers(s: ServerContext): { config: Handler; previewUrl: Handler } {
  return {
    async config(ctx) {
      await s.auth.require(ctx);
      return { json: { "m.upload.size": s.config.media.maxUploadBytes } };
    },
    // URL previews make the server fetch arbitrary URLs for any user: a server-side request
    // forgery risk towards the council's internal network. Disabled until there is an
    // allow/deny-list of target addresses; clients treat this as "no preview".
    async previewUrl(ctx) {
      await s.auth.require(ctx);
      throw new MatrixError("M_FORBIDDEN", 403, "URL previews are disabled on this server");
    },
  };
}
