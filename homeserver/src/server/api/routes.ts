// All routes of the homeserver, by group; each group file lists its routes one per line.
import { Router } from "../http/router.ts";
import type { ServerContext } from "../context.ts";
import { discoveryRoutes } from "./discovery/routes.ts";
import { roomRoutes } from "./rooms/routes.ts";
import { syncRoutes } from "./sync/routes.ts";
import { accountRoutes } from "./account/routes.ts";
import { threepidRoutes } from "./account/threepids.ts";
import { mediaRoutes } from "./media/routes.ts";
import { roomQueryRoutes } from "./room-queries/routes.ts";
import { directoryRoutes } from "./directory/routes.ts";
import { e2eeRoutes } from "./e2ee/routes.ts";
import { appserviceRoutes } from "./appservice/routes.ts";
import { searchRoutes } from "./search/routes.ts";

export function buildRouter(s: ServerContext): Router {
  const r = new Router();
  discoveryRoutes(r, s);
  accountRoutes(r, s);
  threepidRoutes(r, s);
  roomRoutes(r, s);
  syncRoutes(r, s);
  mediaRoutes(r, s);
  roomQueryRoutes(r, s);
  directoryRoutes(r, s);
  e2eeRoutes(r, s);
  appserviceRoutes(r, s);
  searchRoutes(r, s);
  return r;
}
