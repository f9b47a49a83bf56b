// Which servers we federate with: federation.allow_list (empty = everyone) minus federation.deny_list.
// Applied to inbound request origins, outbound destinations, and (by the room pipeline) PDU origins.
import type { FederationConfig } from "../../../config/config-types.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";

export type FederationPolicy = Pick<FederationConfig, "allowList" | "denyList">;

/** Exact server-name match (a port is part of the name). */
export function isFederationAllowed(serverName: string, policy: FederationPolicy): boolean {
  if (policy.denyList.includes(serverName)) return false;
  return policy.allowList.length === 0 || policy.allowList.includes(serverName);
}

/** Throws 403 M_FORBIDDEN when we do not federate with `origin`. */
export function checkFederationPolicy(origin: string, policy: FederationPolicy): void {
  if (!isFederationAllowed(origin, policy)) throw new MatrixError("M_FORBIDDEN", 403, `Federation with ${origin} is not allowed`);
}
