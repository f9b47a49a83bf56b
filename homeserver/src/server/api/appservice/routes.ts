// POST /_matrix/client/v1/appservice/{appserviceId}/ping
// Spec: https://spec.matrix.org/v1.16/application-service-api/#post_matrixclientv1appserviceappserviceidping
// Only the appservice named in the path may ping itself, with its own as_token.
import type { Handler, Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { forbidden } from "../../../spec/matrix-error.ts";
import { bodyObject, optString } from "../json.ts";

export const pingHandler = (s: ServerContext): Handler => async (ctx) => {
  const me = await s.auth.require(ctx);
  const transactionId = optString(bodyObject(ctx.body), "transaction_id", 255);
  const id = ctx.params["appserviceId"] ?? "";
  const reg = me.appserviceId === id ? s.appservices.byId(id) : undefined;
  if (!reg) throw forbidden("Provided access token is not the appservice's as_token");
  const durationMs = await s.appservices.ping(reg, transactionId);
  return { json: { duration_ms: durationMs } };
};

export function appserviceRoutes(r: Router, s: ServerContext): void {
  r.add("POST", "/_matrix/client/v1/appservice/{appserviceId}/ping", pingHandler(s));
}
