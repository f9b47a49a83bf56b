// Time-limited TURN credentials in coturn's "TURN REST API" scheme (use-auth-secret): the
// username is "<expiry unix seconds>:<user id>", the password base64(HMAC-SHA1(secret, username)).
// coturn recomputes the password from the secret it shares with us, so nothing is stored.
// https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3voipturnserver
import { createHmac } from "node:crypto";
import type { VoipConfig } from "../../config/config-types.ts";

export interface TurnServerAnswer {
  username: string;
  password: string;
  uris: string[];
  /** Seconds the credentials stay valid. */
  ttl: number;
}

/** The credentials for `userId` at `nowMs`; undefined when no TURN server is configured. */
export function turnCredentials(config: VoipConfig, userId: string, nowMs: number): TurnServerAnswer | undefined {
  const secret = config.turnSharedSecret;
  if (secret === undefined || config.turnUris.length === 0) return undefined;
  const ttl = Math.floor(config.turnUserLifetime / 1000);
  const username = `${Math.floor(nowMs / 1000) + ttl}:${userId}`;
  const password = createHmac("sha1", secret).update(username, "utf8").digest("base64");
  return { username, password, uris: [...config.turnUris], ttl };
}
