// A process's access-token cache with its PostgreSQL revocation feed (compose.ts, client-reader.ts).
import { TokenRevocations } from "../../storage/token-revocations.ts";
import type { Logger } from "../log.ts";
import { AccessTokenCache } from "./access-token-cache.ts";

export function tokenCacheFor(url: string, log: Logger): { cache: AccessTokenCache; revocations: TokenRevocations } {
  const cache = new AccessTokenCache();
  return { cache, revocations: new TokenRevocations({ url, cache, log }) };
}
