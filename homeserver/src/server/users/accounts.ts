// Creating accounts and logging devices in: shared by /register, the shared-secret admin
// registration and /login. Access tokens are random and stored hashed (see storage/user-store.ts).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#relationship-between-access-tokens-and-devices
import { randomBytes, randomInt } from "node:crypto";
import { MatrixError } from "../../spec/matrix-error.ts";
import { MAX_ID_BYTES, isValidLocalpart } from "../../spec/ids.ts";
import type { UserStore } from "../../storage/user-store.ts";
import type { StreamStore } from "../../storage/stream-store.ts";
import { hashPassword } from "./password-hash.ts";
import { defaultPushRules } from "./default-push-rules.ts";
import { pushRulesContent } from "./push-ruleset.ts";

export interface AccountDeps {
  users: UserStore;
  streams: StreamStore;
}

export const newAccessToken = (): string => `ent_${randomBytes(30).toString("base64url")}`;

const DEVICE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const newDeviceId = (): string => Array.from({ length: 10 }, () => DEVICE_ALPHABET[randomInt(DEVICE_ALPHABET.length)]).join("");

/**
 * The user id for a requested localpart, or M_INVALID_USERNAME. New ids use the restricted
 * grammar `[a-z0-9._=\-/+]` and fit in 255 bytes. https://spec.matrix.org/v1.16/appendices/#user-identifiers
 */
export function newUserId(localpart: string, serverName: string): string {
  const userId = `@${localpart}:${serverName}`;
  if (!isValidLocalpart(localpart) || Buffer.byteLength(userId, "utf8") > MAX_ID_BYTES) {
    throw new MatrixError("M_INVALID_USERNAME", 400, "User ids may only contain a-z, 0-9, '.', '_', '=', '-', '/' and '+', in at most 255 bytes");
  }
  return userId;
}

/** A localpart for registrations that give no username. */
export const generatedLocalpart = (): string => `u${randomBytes(6).toString("hex")}`;

export interface NewAccount {
  userId: string;
  password: string | undefined;
  isAdmin?: boolean;
  displayname?: string;
  now: number;
}

/**
 * Creates the account, or throws M_USER_IN_USE. Its default push rules are written as account
 * data at once so the first /sync carries m.push_rules like every other server's.
 */
export async function createAccount(deps: AccountDeps, a: NewAccount): Promise<void> {
  const passwordHash = a.password === undefined ? undefined : await hashPassword(a.password);
  const created = await deps.users.createUser({
    userId: a.userId, passwordHash, isAdmin: a.isAdmin ?? false, ts: a.now,
    displayname: a.displayname ?? a.userId.slice(1, a.userId.indexOf(":")),
  });
  if (!created) throw new MatrixError("M_USER_IN_USE", 400, "User ID already taken");
  await deps.streams.putAccountData(a.userId, "", "m.push_rules", pushRulesContent(defaultPushRules(a.userId)));
}

export interface DeviceSession {
  accessToken: string;
  deviceId: string;
}

/**
 * Logs a device in. Reusing a known device_id keeps the device (and its name) but revokes the
 * tokens it had; an unknown or missing one creates the device.
 */
export async function startSession(users: UserStore, userId: string, opts: { deviceId?: string; displayName?: string; now: number }): Promise<DeviceSession> {
  const deviceId = opts.deviceId ?? newDeviceId();
  const existing = opts.deviceId === undefined ? undefined : await users.getDevice(userId, deviceId);
  if (existing) await users.deleteDeviceTokens(userId, deviceId);
  else await users.upsertDevice(userId, deviceId, opts.displayName);
  const accessToken = newAccessToken();
  await users.addAccessToken(accessToken, userId, deviceId, opts.now);
  return { accessToken, deviceId };
}
