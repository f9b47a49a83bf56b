// GET /_matrix/client/v3/sync
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { queryInt } from "../json.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { parseSyncFilter } from "../../sync/sync-filter.ts";
import { parseJsonParam } from "../../../spec/json-limits.ts";
import { parseSyncToken } from "../../sync/sync-token.ts";
import { sync } from "../../sync/sync-service.ts";

export function syncRoutes(r: Router, s: ServerContext): void {
  r.add("GET", "/_matrix/client/v3/sync", async (ctx) => {
    const me = await s.auth.require(ctx);
    const since = ctx.query.get("since");
    const filterParam = ctx.query.get("filter");
    let rawFilter: unknown = {};
    if (filterParam) {
      if (filterParam.trim().startsWith("{")) {
        rawFilter = parseJsonParam(filterParam, "filter");
      } else {
        rawFilter = await s.stores.streams.getFilter(me.userId, filterParam);
        if (rawFilter === undefined) throw new MatrixError("M_NOT_FOUND", 404, `Unknown filter ${filterParam}`);
      }
    }
    const fullState = ctx.query.get("full_state");
    if (fullState !== null && fullState !== "true" && fullState !== "false") throw new MatrixError("M_INVALID_PARAM", 400, "'full_state' must be true or false");
    const setPresence = ctx.query.get("set_presence");
    if (setPresence !== null && !["online", "offline", "unavailable"].includes(setPresence)) throw new MatrixError("M_INVALID_PARAM", 400, "Invalid set_presence");
    const abort = new AbortController();
    // a long-poll stops early when the client goes away; the listener must not outlive the request
    // (keep-alive sockets serve many requests)
    const onClose = (): void => abort.abort();
    ctx.req.socket.once("close", onClose);
    try {
      const run = (): ReturnType<typeof sync> => sync(s, {
        me, since: since ? parseSyncToken(since) : undefined, filter: parseSyncFilter(rawFilter), fullState: fullState === "true",
        timeoutMs: queryInt(ctx.query, "timeout", 0, 0, 300_000), signal: abort.signal,
      });
      // initial and full-state syncs read every room's state: bounded per user (issue 9, finding 7)
      const heavy = !since || fullState === "true";
      return { json: await (heavy ? s.heavyReads.gate.run(me.userId, run) : run()) };
    } finally {
      ctx.req.socket.off("close", onClose);
    }
  });
}
