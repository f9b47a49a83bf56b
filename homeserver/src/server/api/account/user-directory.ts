// POST /user_directory/search
// Spec: https://spec.matrix.org/v1.16/client-server-api/#user-directory
// Searches ALL active local users, not only those sharing a room or in public rooms (Synapse's
// default): in a council every agent expects to find every colleague. Remote users are not
// searched.
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { badJson } from "../../../spec/matrix-error.ts";
import { bodyObject, optInt, reqString } from "../json.ts";

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export const userDirectorySearchHandler = (s: ServerContext): Handler => async (ctx) => {
  await s.auth.require(ctx);
  const b = bodyObject(ctx.body);
  const term = reqString(b, "search_term", 256).trim();
  const limit = optInt(b, "limit") ?? DEFAULT_LIMIT;
  if (limit < 0) throw badJson("'limit' must not be negative");
  const capped = Math.min(limit, MAX_LIMIT);
  // One extra row tells whether the list was cut.
  const rows = await s.stores.users.searchUsers(term, capped + 1);
  const results = rows.slice(0, capped).map((u) => {
    const r: Record<string, string> = { user_id: u.userId };
    if (u.displayname !== undefined) r["display_name"] = u.displayname;
    if (u.avatarUrl !== undefined) r["avatar_url"] = u.avatarUrl;
    return r;
  });
  return { json: { limited: rows.length > capped, results } };
};
