// An access token equal to an appservice's as_token authenticates as that appservice, acting as
// its sender user or, with `?user_id=`, as a user of its namespace; `?device_id=` (v1.17, or
// MSC3202's `org.matrix.msc3202.device_id`) picks one of that user's devices.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#identity-assertion and
// https://spec.matrix.org/v1.17/application-service-api/#identity-assertion (device masquerading)
import { hash, timingSafeEqual } from "node:crypto";
import { MatrixError, forbidden } from "../../spec/matrix-error.ts";
import type { DeviceRow, UserRow } from "../../storage/user-store.ts";
import type { Requester } from "../http/request-context.ts";
import { claimsUser } from "./namespaces.ts";
import type { AppserviceRegistration } from "./registration.ts";

/** True when the request was made with an as_token (UIA is skipped for these, spec v1.17). */
export const isAppserviceRequest = (requester: Requester): boolean => requester.appserviceId !== undefined;

/**
 * A request made without `?device_id=` has no device: its Requester.deviceId is this empty string.
 * Operations that need a device (uploading one-time keys...) must refuse it.
 */
export const NO_DEVICE = "";

const digest = (s: string): Buffer => hash("sha256", s, "buffer");

/**
 * Finds the registration owning a token, comparing against every as_token in constant time.
 * Every authenticated request asks first (auth-guard.ts), users' tokens included: a token whose
 * length no as_token has is answered without hashing (issue 16: the digest was ~20 µs of a
 * request's CPU). That check reads the length only, which a token's format does not hide anyway.
 */
export class AppserviceTokens {
  private readonly entries: { hash: Buffer; reg: AppserviceRegistration }[];
  /** UTF-16 lengths of the as_tokens. */
  private readonly lengths: ReadonlySet<number>;

  constructor(regs: readonly AppserviceRegistration[]) {
    this.entries = regs.map((reg) => ({ hash: digest(reg.asToken), reg }));
    this.lengths = new Set(regs.map((reg) => reg.asToken.length));
  }

  find(token: string): AppserviceRegistration | undefined {
    if (!this.lengths.has(token.length)) return undefined;
    const h = digest(token);
    let found: AppserviceRegistration | undefined;
    // No early exit: the time taken does not depend on which registration matched.
    for (const e of this.entries) if (timingSafeEqual(h, e.hash)) found = e.reg;
    return found;
  }
}

export interface IdentityUsers {
  getUser(userId: string): Promise<UserRow | undefined>;
  getDevice(userId: string, deviceId: string): Promise<DeviceRow | undefined>;
}

/** The Requester an as_token request acts as, or 403 M_FORBIDDEN / 400 M_UNKNOWN_DEVICE. */
export async function assertIdentity(reg: AppserviceRegistration, query: URLSearchParams, deps: { users: IdentityUsers; serverName: string }): Promise<Requester> {
  const asked = query.get("user_id");
  const userId = asked === null || asked === "" ? reg.senderUserId : asked;
  if (!claimsUser(reg, userId, deps.serverName)) throw forbidden("Application service cannot masquerade as this user");
  const user = await deps.users.getUser(userId);
  if (!user) throw forbidden("Application service has not registered this user");
  if (user.deactivated) throw new MatrixError("M_USER_DEACTIVATED", 403, "This account has been deactivated");
  const deviceId = query.get("device_id") ?? query.get("org.matrix.msc3202.device_id") ?? NO_DEVICE;
  if (deviceId !== NO_DEVICE && !(await deps.users.getDevice(userId, deviceId))) {
    throw new MatrixError("M_UNKNOWN_DEVICE", 400, "Device does not belong to this user");
  }
  return { userId, deviceId, isGuest: false, appserviceId: reg.id };
}
