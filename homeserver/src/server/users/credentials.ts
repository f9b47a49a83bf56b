// Who is logging in, and is their password right? Shared by /login and the UIA password stage.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#identifier-types
import { MatrixError, badJson } from "../../spec/matrix-error.ts";
import { parseUserId } from "../../spec/ids.ts";
import type { JsonObject } from "../../room/pdu.ts";
import type { UserRow } from "../../storage/user-store.ts";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "./password-hash.ts";
import type { FailedPasswordAttempts } from "./password-attempts.ts";

/** The store methods credential checks need (a fake in unit tests). */
export interface PasswordUsers {
  getUser(userId: string): Promise<UserRow | undefined>;
  replacePasswordHash(userId: string, previous: string, hash: string): Promise<boolean>;
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
 * Password checks behind the per-account failure limit (password-attempts.ts). The check takes
 * as long whether or not the user exists; a deactivated account is only reported as such to
 * someone who gives its right password (otherwise a wrong password would reveal the account
 * state). Deactivation removes the hash, so in practice that is only for accounts whose hash an
 * administrator kept. A right password under old hashing parameters is re-hashed.
 */
export class PasswordChecker {
  private readonly users: PasswordUsers;
  private readonly attempts: FailedPasswordAttempts;

  constructor(deps: { users: PasswordUsers; attempts: FailedPasswordAttempts }) {
    this.users = deps.users;
    this.attempts = deps.attempts;
  }

  /** The outcome, or 429 M_LIMIT_EXCEEDED while the account is locked out (then nothing is hashed). */
  async check(userId: string, password: string): Promise<PasswordCheck> {
    const attempt = this.attempts.begin(userId);
    let result: PasswordCheck;
    try {
      result = await this.verify(userId, password);
    } catch (e: unknown) {
      attempt.release(); // e.g. the hashing queue was full: not a guess that was checked
      throw e;
    }
    attempt.finish(result.ok || result.reason === "deactivated");
    return result;
  }

  private async verify(userId: string, password: string): Promise<PasswordCheck> {
    const user = await findLocalUser(this.users, userId);
    if (!user?.passwordHash) {
      await verifyAgainstDummy(password);
      return { ok: false, reason: "invalid" };
    }
    if (!(await verifyPassword(password, user.passwordHash))) return { ok: false, reason: "invalid" };
    if (user.deactivated) return { ok: false, reason: "deactivated" };
    if (needsRehash(user.passwordHash)) await this.rehash(user.userId, user.passwordHash, password);
    return { ok: true, userId: user.userId };
  }

  private async rehash(userId: string, previous: string, password: string): Promise<void> {
    try {
      await this.users.replacePasswordHash(userId, previous, await hashPassword(password));
    } catch {
      // Best effort (e.g. the hashing queue is full): the old hash still works; next login retries.
    }
  }
}
