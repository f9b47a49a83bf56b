// Builds the password checker from the `passwords` config section (kept out of compose.ts, which
// only wires it): the per-account failure limit and the process-wide hashing queue bounds.
import type { PasswordsConfig } from "../../config/config-types.ts";
import type { Clock } from "../clock.ts";
import { PasswordChecker, type PasswordUsers } from "./credentials.ts";
import { FailedPasswordAttempts } from "./password-attempts.ts";
import { configureHashQueue } from "./password-hash.ts";

export function passwordChecker(config: PasswordsConfig, users: PasswordUsers, clock: Clock): PasswordChecker {
  configureHashQueue({ concurrency: config.hashingConcurrency, maxQueued: config.hashingQueue });
  return new PasswordChecker({ users, attempts: new FailedPasswordAttempts({ clock, policy: config.failedAttempts }) });
}
