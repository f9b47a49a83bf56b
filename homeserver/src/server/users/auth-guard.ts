// Resolves the access token of a request to a Requester, or throws the right Matrix error.
// An appservice's as_token is tried first (server/appservice/identity.ts: ?user_id= and ?device_id=
// masquerading, https://spec.matrix.org/v1.16/application-service-api/#identity-assertion).
import { MatrixError } from "../../spec/matrix-error.ts";
import type { UserStore } from "../../storage/user-store.ts";
import type { RequestContext, Requester } from "../http/request-context.ts";
import type { Clock } from "../clock.ts";

/** The appservice side of authentication: undefined when the token is not an as_token. */
export interface AppserviceAuth {
  authenticate(token: string, query: URLSearchParams): Promise<Requester | undefined>;
}

export class AuthGuard {
  private readonly users: UserStore;
  private readonly clock: Clock;
  private readonly appservices: AppserviceAuth | undefined;
  private readonly lastTouch = new Map<string, number>();

  constructor(deps: { users: UserStore; clock: Clock; appservices?: AppserviceAuth }) {
    this.users = deps.users;
    this.clock = deps.clock;
    this.appservices = deps.appservices;
  }

  async require(ctx: RequestContext): Promise<Requester> {
    const token = ctx.accessToken;
    if (!token) throw new MatrixError("M_MISSING_TOKEN", 401, "Missing access token");
    const asRequester = await this.appservices?.authenticate(token, ctx.query);
    if (asRequester) return asRequester;
    const found = await this.users.lookupToken(token);
    if (!found) throw new MatrixError("M_UNKNOWN_TOKEN", 401, "Unknown access token", { soft_logout: false });
    const key = `${found.userId}|${found.deviceId}`;
    const now = this.clock.now();
    // last-seen is advisory: write it at most once a minute per device
    if ((this.lastTouch.get(key) ?? 0) < now - 60_000) {
      this.lastTouch.set(key, now);
      await this.users.touchDevice(found.userId, found.deviceId, ctx.ip, now);
    }
    return { userId: found.userId, deviceId: found.deviceId, isGuest: false };
  }
}
