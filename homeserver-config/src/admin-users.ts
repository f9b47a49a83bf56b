// Account administration on a council's database (`entente user ...`). Account creation goes
// through the homeserver's own createAccount so a CLI-made account is exactly like a registered one.
import { readFileSync } from "node:fs";
import { MatrixError } from "../../homeserver/src/spec/matrix-error.ts";
import { createAccount, newUserId } from "../../homeserver/src/server/users/accounts.ts";
import { hashPassword } from "../../homeserver/src/server/users/password-hash.ts";
import { checkPasswordPolicy } from "../../homeserver/src/server/users/password-policy.ts";
import { CliError, UsageError } from "./cli-kit.ts";
import type { CouncilDatabase } from "./council-database.ts";
import { randomSecret } from "./secret-files.ts";

/** `alice` or `@alice:server` (which must be this server's) -> the full user id. */
export function resolveUserId(command: string, arg: string, serverName: string): string {
  let localpart = arg;
  if (arg.startsWith("@")) {
    const colon = arg.indexOf(":");
    const server = colon < 0 ? "" : arg.slice(colon + 1);
    if (server !== serverName) throw new UsageError(`entente ${command}: ${arg} is not a user of this server (${serverName})`);
    localpart = arg.slice(1, colon);
  }
  try {
    return newUserId(localpart, serverName);
  } catch (e: unknown) {
    if (e instanceof MatrixError) throw new UsageError(`entente ${command}: invalid user name ${JSON.stringify(arg)}: ${e.message}`);
    throw e;
  }
}

/** The password from --password-file (a path, or "-" for stdin), else a generated one. */
export function readPassword(file: string | undefined): { password: string; generated: boolean } {
  if (file === undefined) return { password: randomSecret(12), generated: true };
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e: unknown) {
    throw new CliError(`cannot read the password file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const password = text.replace(/\r?\n$/, "");
  if (password === "") throw new CliError(`the password file ${file} is empty`);
  return { password, generated: false };
}

/** The server's password policy (passwords.minimum_length), as a CLI error. */
function requireStrongPassword(c: CouncilDatabase, password: string): void {
  try {
    checkPasswordPolicy(password, c.config.passwords);
  } catch (e: unknown) {
    if (e instanceof MatrixError) throw new CliError(`${e.message} (passwords.minimum_length in the config)`);
    throw e;
  }
}

async function existingUser(c: CouncilDatabase, userId: string): Promise<void> {
  const user = await c.users.getUser(userId);
  if (user === undefined) throw new CliError(`no user ${userId}`);
  if (user.deactivated) throw new CliError(`${userId} is deactivated`);
}

export async function addUser(c: CouncilDatabase, u: { userId: string; password: string; admin: boolean; displayname: string | undefined; now: number }): Promise<void> {
  requireStrongPassword(c, u.password);
  try {
    await createAccount({ users: c.users, streams: c.streams }, {
      userId: u.userId, password: u.password, isAdmin: u.admin, now: u.now, ...(u.displayname !== undefined && { displayname: u.displayname }),
    });
  } catch (e: unknown) {
    if (e instanceof MatrixError && e.errcode === "M_USER_IN_USE") throw new CliError(`${u.userId} already exists`);
    throw e;
  }
}

/** Sets a new password; unless `keepSessions`, every device is logged out (as POST /account/password does). */
export async function resetPassword(c: CouncilDatabase, userId: string, password: string, keepSessions: boolean): Promise<void> {
  await existingUser(c, userId);
  requireStrongPassword(c, password);
  await c.users.setPasswordHash(userId, await hashPassword(password));
  if (!keepSessions) await c.users.deleteAllDevices(userId);
}

/** Like POST /account/deactivate: no password, no devices, no pushers; the id stays taken forever. */
export async function deactivateUser(c: CouncilDatabase, userId: string): Promise<void> {
  await existingUser(c, userId);
  await c.users.setDeactivated(userId);
  await c.users.deleteAllDevices(userId);
  await c.users.deleteAllPushers(userId);
}
