// GET /_matrix/client/v3/voip/turnServer, GET /_matrix/client/v3/thirdparty/protocols[/{protocol}]
// Clients poll both (Element: protocols every few seconds while the room directory is open); a 404
// shows up as errors in their logs, so we answer what is true: no TURN server unless configured,
// no bridged third-party networks.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#voice-over-ip
//       https://spec.matrix.org/v1.16/client-server-api/#third-party-networks
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { turnCredentials } from "../../voip/turn-credentials.ts";

export function voipAndThirdPartyRoutes(r: Router, s: ServerContext): void {
  r.add("GET", "/_matrix/client/v3/voip/turnServer", async (ctx) => {
    const me = await s.auth.require(ctx);
    // the spec's answer without a TURN server is an empty object
    return { json: turnCredentials(s.config.voip, me.userId, s.clock.now()) ?? {} };
  });
  r.add("GET", "/_matrix/client/v3/thirdparty/protocols", async (ctx) => {
    await s.auth.require(ctx);
    return { json: {} };
  });
  r.add("GET", "/_matrix/client/v3/thirdparty/protocol/{protocol}", async (ctx) => {
    await s.auth.require(ctx);
    throw new MatrixError("M_NOT_FOUND", 404, "No such protocol");
  });
}
