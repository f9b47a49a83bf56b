// GET /account/3pid, POST /account/3pid, /account/3pid/{add,bind,delete,unbind},
// POST /{account/3pid,register,account/password}/{email,msisdn}/requestToken
// Spec: https://spec.matrix.org/v1.16/client-server-api/#adding-account-administrative-contact-information
//
// Councils create and close their agents' accounts themselves (shared-secret registration, the
// `entente` CLI, their directory): an account has no e-mail address or phone number, and the server
// sends no mail or SMS. So the list is always empty and every change or verification request gets
// 403 M_THREEPID_DENIED with a sentence a user can act on, instead of a bare 404 that clients
// report as a broken server (Element calls GET /account/3pid on its settings page). Capabilities
// already announce `m.3pid_changes: false`. Bodies are still checked first (M_BAD_JSON,
// M_MISSING_PARAM), as the spec defines them, so a malformed request is told what is wrong with it.
import type { Router } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import type { Handler } from "../../http/router.ts";
import type { JsonObject } from "../../../room/pdu.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { bodyObject } from "../json.ts";
import { C } from "./common.ts";

export const THREEPIDS_DENIED_MESSAGE =
  "Third-party identifiers (e-mail addresses, phone numbers) are not supported: your council manages accounts itself; ask your administrator";

const denied = (): MatrixError => new MatrixError("M_THREEPID_DENIED", 403, THREEPIDS_DENIED_MESSAGE);

type Field = "string" | "integer" | "object";

/** Required fields of each request body (spec), checked before the request is refused. */
const BODIES = {
  email: { client_secret: "string", email: "string", send_attempt: "integer" },
  msisdn: { client_secret: "string", country: "string", phone_number: "string", send_attempt: "integer" },
  legacyAdd: { three_pid_creds: "object" },
  add: { client_secret: "string", sid: "string" },
  bind: { client_secret: "string", id_access_token: "string", id_server: "string", sid: "string" },
  remove: { address: "string", medium: "string" },
} as const satisfies Record<string, Record<string, Field>>;

function checkBody(body: unknown, fields: Record<string, Field>): void {
  const o: JsonObject = bodyObject(body);
  for (const [key, kind] of Object.entries(fields)) {
    const v = o[key];
    if (v === undefined || v === null) throw new MatrixError("M_MISSING_PARAM", 400, `Missing '${key}'`);
    const ok = kind === "string" ? typeof v === "string"
      : kind === "integer" ? typeof v === "number" && Number.isSafeInteger(v)
        : typeof v === "object" && !Array.isArray(v);
    if (!ok) throw new MatrixError("M_BAD_JSON", 400, `'${key}' must be ${kind === "integer" ? "an integer" : `a${kind === "object" ? "n" : ""} ${kind}`}`);
  }
}

/** Spec "Requires authentication: No": the verification-token requests come before any login. */
const requestTokenHandler = (fields: Record<string, Field>): Handler => async (ctx) => {
  checkBody(ctx.body, fields);
  throw denied();
};

const authenticatedHandler = (s: ServerContext, fields: Record<string, Field>): Handler => async (ctx) => {
  await s.auth.require(ctx);
  checkBody(ctx.body, fields);
  throw denied();
};

export function threepidRoutes(r: Router, s: ServerContext): void {
  r.add("GET", `${C}/account/3pid`, async (ctx) => {
    await s.auth.require(ctx);
    return { json: { threepids: [] } };
  });
  r.add("POST", `${C}/account/3pid`, authenticatedHandler(s, BODIES.legacyAdd));
  r.add("POST", `${C}/account/3pid/add`, authenticatedHandler(s, BODIES.add));
  r.add("POST", `${C}/account/3pid/bind`, authenticatedHandler(s, BODIES.bind));
  r.add("POST", `${C}/account/3pid/delete`, authenticatedHandler(s, BODIES.remove));
  r.add("POST", `${C}/account/3pid/unbind`, authenticatedHandler(s, BODIES.remove));
  for (const prefix of ["account/3pid", "register", "account/password"]) {
    r.add("POST", `${C}/${prefix}/email/requestToken`, requestTokenHandler(BODIES.email));
    r.add("POST", `${C}/${prefix}/msisdn/requestToken`, requestTokenHandler(BODIES.msisdn));
  }
}
