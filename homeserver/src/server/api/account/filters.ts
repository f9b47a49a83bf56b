// POST /user/{userId}/filter, GET /user/{userId}/filter/{filterId}
// Spec: https://spec.matrix.org/v1.16/client-server-api/#filtering
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { notFound } from "../../../spec/matrix-error.ts";
import { param, requireSelf, userIdParam } from "./common.ts";
import { validateFilter } from "./filter-schema.ts";

export const createFilterHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, "create filters");
  validateFilter(ctx.body);
  return { json: { filter_id: await s.stores.streams.addFilter(userId, ctx.body) } };
};

export const getFilterHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const userId = userIdParam(ctx);
  requireSelf(me, userId, "read filters");
  const filter = await s.stores.streams.getFilter(userId, param(ctx, "filterId"));
  if (filter === undefined) throw notFound("Unknown filter");
  return { json: filter };
};
