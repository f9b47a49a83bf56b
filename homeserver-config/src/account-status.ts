// What `entente start` may print about an admin or demo account that already existed: its initial
// password only while that is still true. Once the password was changed (by its owner, or with
// `entente user reset-password`) or the account deactivated, printing the initial password would
// mislead (and advertise a password that might be reused elsewhere).
import type { UserRow } from "../../homeserver/src/storage/user-store.ts";
import { verifyPassword } from "../../homeserver/src/server/users/password-hash.ts";

export type AccountStatus = "current" | "changed" | "deactivated" | "missing";

/** Whether `password` is still the account's password, read from the council's database. */
export async function accountStatus(users: { getUser(userId: string): Promise<UserRow | undefined> }, userId: string, password: string): Promise<AccountStatus> {
  const user = await users.getUser(userId);
  if (user === undefined) return "missing";
  if (user.deactivated) return "deactivated";
  if (user.passwordHash === undefined || !(await verifyPassword(password, user.passwordHash))) return "changed";
  return "current";
}

/** The password column of the start table: `shown` (the password, or where it is) only while it is current. */
export function passwordColumn(status: AccountStatus, shown: string): string {
  switch (status) {
    case "current": return shown;
    case "changed": return "(changed since / modifié depuis)";
    case "deactivated": return "(deactivated / désactivé)";
    case "missing": return "(missing / absent)";
  }
}
