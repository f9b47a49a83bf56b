// The `passwords` section: policy for new passwords, the bounded hashing queue and the per-account
// limit on failed attempts (see server/users/password-attempts.ts and hash-queue.ts for why).
import type { PasswordsConfig } from "./config-types.ts";
import { integer, section, withDefault } from "./schema-combinators.ts";
import type { Refined } from "./schema-combinators.ts";

const failedAttempts = section(
  "Per-account limit on wrong passwords, for /login and re-authentication (user-interactive auth) alike, whatever " +
  "the client address. Past the limit the account is locked for a while: every password attempt, even the right one, " +
  "gets 429 M_LIMIT_EXCEEDED with retry_after_ms. Sessions already logged in keep working. Counted in memory: a restart forgets the counts.",
  {
    free_attempts: withDefault(integer(0, 1000),
      "Consecutive wrong passwords allowed before the first lock-out; 0 disables this limit.", 5),
    lockout_ms: withDefault(integer(1), "First lock-out, in milliseconds; it doubles with each further wrong password.", 10_000),
    max_lockout_ms: withDefault(integer(1), "Longest lock-out, in milliseconds.", 3_600_000),
    forget_after_ms: withDefault(integer(1),
      "Wrong passwords are forgotten after this long without a new one (a right password forgets them at once).", 86_400_000),
  },
  (v): Refined<PasswordsConfig["failedAttempts"]> =>
    v.maxLockoutMs < v.lockoutMs
      ? { ok: false, errors: [{ key: "max_lockout_ms", message: "must be at least lockout_ms" }] }
      : { ok: true, value: v },
);

export const passwords = section("Account passwords (hashed with Argon2id at OWASP's parameters).", {
  minimum_length: withDefault(integer(1, 1024),
    "Shortest password accepted for a new account or a password change (400 M_WEAK_PASSWORD), in characters.", 10),
  hashing_concurrency: withDefault(integer(1, 4),
    "Password hashes computed at once. Each takes a thread of Node's libuv pool (4 threads, shared with file and media I/O); " +
    "keeping this low stops a storm of login attempts from stalling downloads.", 2),
  hashing_queue: withDefault(integer(0, 10_000),
    "Password checks waiting for a hashing slot; one more gets 429 M_LIMIT_EXCEEDED at once.", 32),
  failed_attempts: failedAttempts,
});
