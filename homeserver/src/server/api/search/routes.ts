// Server-side search. One line per route.
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { searchHandler } from "./search.ts";

export function searchRoutes(r: Router, s: ServerContext): void {
  r.add("POST", "/_matrix/client/v3/search", searchHandler(s));
}
