// GET /_matrix/client/versions, GET /.well-known/matrix/client, GET /_matrix/client/v3/capabilities
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { ROOM_VERSIONS } from "../../../room/room-versions.ts";
import { unstableFeatures } from "./unstable-features.ts";
import { voipAndThirdPartyRoutes } from "./voip-thirdparty.ts";

export function discoveryRoutes(r: Router, s: ServerContext): void {
  r.add("GET", "/_matrix/client/versions", async () => ({ json: {
    versions: ["v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15", "v1.16"],
    unstable_features: unstableFeatures(),
  } }));
  r.add("GET", "/.well-known/matrix/client", async () => ({ json: { "m.homeserver": { base_url: s.config.server.publicBaseUrl } } }));
  r.add("GET", "/_matrix/client/v3/capabilities", async (ctx) => {
    await s.auth.require(ctx);
    const available: Record<string, string> = {};
    for (const id of ROOM_VERSIONS.keys()) available[id] = "stable";
    return { json: { capabilities: {
      "m.room_versions": { default: s.config.rooms.defaultVersion, available },
      "m.change_password": { enabled: true },
      "m.set_displayname": { enabled: true },
      "m.set_avatar_url": { enabled: true },
      "m.3pid_changes": { enabled: false },
    } } };
  });
  r.add("GET", "/health", async () => ({ json: { status: "ok" } }));
  voipAndThirdPartyRoutes(r, s);
  // MatrixRTC transports (MSC4143): none yet (Entente's calls go through Jitsi widgets); clients
  // such as matrix-js-sdk poll this and log an error on 404.
  r.add("GET", "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports", async (ctx) => {
    await s.auth.require(ctx);
    return { json: { rtc_transports: [] } };
  });
}
