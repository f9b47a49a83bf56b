// Who is logging in, and is their password right? Shared by /login and the UIA password stage.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#identifier-types
import { MatrixError, badJson } from "../../spec/matrix-error.ts";
import { parseUserId } from "../../spec/ids.ts";
import type { JsonObject } from "../../room/pdu.ts";
import type { UserRow } from "../../storage/user-store.ts";
import { verifyAgainstDummy, verifyPassword } from "./password-hash.ts";

/** The one store method credential checks need (a fake in unit tests). */
export interface PasswordUsers {
  getUser(userId: string): Promise<UserRow | undefined>;
}

/** One message for an unknown user and a wrong password, so logins do not reveal who exists. */
export const BAD_CREDENTIALS = "Invalid username or password";

/**
 * The full user id named by `identifier` (type m.id.user) or the deprecated top-level `user`.
 * A localpart gets our server name; a user id of another server can never log in here.
 */
export function identifiedUser(body: JsonObject, serverName: string): string {
  const identifier = body["identifier"];
  let user: unknown;
  if (identifier !== undefined && identifier !== null) {
    if (typeof identifier !== "object" || Array.isArray(identifier)) throw badJson("'identifier' must be an object");
    const kind = identifier["type"];
    if (kind === "m.id.thirdparty" || kind === "m.id.phone") {
      // We hold no third-party identifiers: the spec answers an unknown 3PID with 403.
      throw new MatrixError("M_FORBIDDEN", 403, "Unknown third-party identifier");
    }
    if (kind !== "m.id.user") throw badJson("'identifier.type' must be m.id.user");
    user = identifier["user"];
  } else {
    user = body["user"];
  }
  if (typeof user !== "string" || user === "") throw badJson("Missing 'identifier.user'");
  if (!user.startsWith("@")) return `@${user}:${serverName}`;
  const parsed = parseUserId(user);
  if (!parsed || parsed.serverName !== serverName) throw new MatrixError("M_FORBIDDEN", 403, BAD_CREDENTIALS);
  return user;
}

/** Finds a local user, accepting a differently-cased localpart as Synapse does. */
export async function findLocalUser(users: PasswordUsers, userId: string): Promise<UserRow | undefined> {
  const exact = await users.getUser(userId);
  if (exact) return exact;
  const colon = userId.indexOf(":");
  const lowered = userId.slice(0, colon).toLowerCase() + userId.slice(colon);
  return lowered === userId ? undefined : users.getUser(lowered);
}

export type PasswordCheck = { ok: true; userId: string } | { ok: false; reason: "invalid" | "deactivated" };

/**
 * Verifies a password in constant time with respect to whether the user exists. A deactivated
 * account has no password left and is reported as such (M_USER_DEACTIVATED on /login).
 */
export async function checkPassword(users: PasswordUsers, userId: string, password: string): Promise<PasswordCheck> {
  const user = await findLocalUser(users, userId);
  if (user?.deactivated) {
    await verifyAgainstDummy(password);
    return { ok: false, reason: "deactivated" };
  }
  if (!user?.passwordHash) {
    await verifyAgainstDummy(password);
    return { ok: false, reason: "invalid" };
  }
  return (await verifyPassword(password, user.passwordHash)) ? { ok: true, userId: user.userId } : { ok: false, reason: "invalid" };
}
