// Room directory: aliases and the published rooms list. One line per route.
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { deleteAliasHandler, getAliasHandler, putAliasHandler, roomAliasesHandler } from "./aliases.ts";
import { getPublicRoomsHandler, getVisibilityHandler, postPublicRoomsHandler, putVisibilityHandler } from "./public-rooms.ts";

const C = "/_matrix/client/v3";

export function directoryRoutes(r: Router, s: ServerContext): void {
  r.add("PUT", `${C}/directory/room/{roomAlias}`, putAliasHandler(s));
  r.add("GET", `${C}/directory/room/{roomAlias}`, getAliasHandler(s));
  r.add("DELETE", `${C}/directory/room/{roomAlias}`, deleteAliasHandler(s));
  r.add("GET", `${C}/rooms/{roomId}/aliases`, roomAliasesHandler(s));
  r.add("GET", `${C}/directory/list/room/{roomId}`, getVisibilityHandler(s));
  r.add("PUT", `${C}/directory/list/room/{roomId}`, putVisibilityHandler(s));
  r.add("GET", `${C}/publicRooms`, getPublicRoomsHandler(s));
  r.add("POST", `${C}/publicRooms`, postPublicRoomsHandler(s));
}
