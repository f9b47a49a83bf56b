// GET /_synapse/admin/v1/register, POST /_synapse/admin/v1/register
// Shared-secret registration as Synapse documents it (docs/admin_api/register_api.md), so the usual
// provisioning scripts work: GET gives a nonce (single use, valid 60 s); POST carries
// mac = hex HMAC-SHA1(secret, nonce \0 username \0 password \0 "admin"|"notadmin" [\0 user_type]).
// Extension: `inhibit_login: true` creates the account without a session (no access token, no device).
// It works even when open registration is off: the shared secret is the administrator's key.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError, forbidden } from "../../../spec/matrix-error.ts";
import { bodyObject, optBool, optString, reqString } from "../json.ts";
import { createAccount, newUserId, startSession } from "../../users/accounts.ts";
import { SingleUseNonces } from "./single-use-nonces.ts";
import { checkPasswordPolicy } from "../../users/password-policy.ts";

const NONCE_TTL_MS = 60_000;
/** Outstanding nonces kept at most (the endpoint is unauthenticated; legitimate use needs a handful). */
const MAX_NONCES = 1_000;

function sharedSecret(s: ServerContext): string {
  const secret = s.config.registration.sharedSecret;
  if (secret === undefined || secret === "") throw new MatrixError("M_UNKNOWN", 400, "Shared secret registration is not enabled");
  return secret;
}

export function expectedMac(secret: string, f: { nonce: string; username: string; password: string; admin: boolean; userType: string | undefined }): Buffer {
  const h = createHmac("sha1", secret).update(f.nonce, "utf8").update("\0").update(f.username, "utf8").update("\0")
    .update(f.password, "utf8").update("\0").update(f.admin ? "admin" : "notadmin");
  if (f.userType) h.update("\0").update(f.userType, "utf8");
  return h.digest();
}

export function adminRegisterHandlers(s: ServerContext): { nonce: Handler; register: Handler } {
  const nonces = new SingleUseNonces({ ttlMs: NONCE_TTL_MS, max: MAX_NONCES });

  const nonce: Handler = async (ctx) => {
    sharedSecret(s);
    s.rateLimiter.take("registration_nonce", ctx.ip, s.config.rateLimits.registrationNonce);
    return { json: { nonce: nonces.issue(s.clock.now()) } };
  };

  const register: Handler = async (ctx) => {
    const secret = sharedSecret(s);
    const b = bodyObject(ctx.body);
    const n = reqString(b, "nonce", 128);
    const username = reqString(b, "username", 512);
    const password = reqString(b, "password", 1024);
    const admin = optBool(b, "admin") ?? false;
    const displayname = optString(b, "displayname", 256);
    const userType = optString(b, "user_type", 64);
    // An extension (as in client /register): provisioning tools such as `entente start` create
    // accounts for people who will log in themselves; a session here would leave a stray device.
    const inhibitLogin = optBool(b, "inhibit_login") ?? false;
    const mac = reqString(b, "mac", 128);
    const now = s.clock.now();
    // The nonce is spent by any attempt, right or wrong, so a MAC cannot be guessed against it.
    if (!nonces.spend(n, now)) throw new MatrixError("M_UNKNOWN", 400, "Unrecognised nonce");
    const want = expectedMac(secret, { nonce: n, username, password, admin, userType });
    const got = /^[0-9a-fA-F]+$/.test(mac) ? Buffer.from(mac, "hex") : Buffer.alloc(0);
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw forbidden("HMAC incorrect");
    const userId = newUserId(username.toLowerCase(), s.serverName);
    checkPasswordPolicy(password, s.config.passwords);
    await createAccount(s.stores, { userId, password, isAdmin: admin, ...(displayname !== undefined && { displayname }), now });
    ctx.log.info("registered user with the shared secret", { user_id: userId, admin });
    if (inhibitLogin) return { json: { user_id: userId, home_server: s.serverName } };
    const session = await startSession(s.stores.users, userId, { now });
    await s.e2ee.deviceChanged(userId);
    return { json: { user_id: userId, access_token: session.accessToken, device_id: session.deviceId, home_server: s.serverName } };
  };

  return { nonce, register };
}
