// PostgreSQL: every process that keeps access tokens (AccessTokenCache) LISTENs for deletions of
// access_tokens rows, made by any process: migration 160's statement trigger NOTIFYs on this
// channel, delivered when the deleting transaction commits. One dedicated connection; while it is
// down the cache is off, and it reconnects (100 ms doubling to 2 s), then turns the cache back on.
// A silently dead connection is found by the listener's heartbeat (pg-listener.ts); kept tokens
// also expire after the cache's own age limit (60 s).
import { PgListener } from "./pg-listener.ts";
import type { AccessTokenCache } from "../server/users/access-token-cache.ts";
import type { Logger } from "../server/log.ts";
import type { Dialect, SqlExecutor } from "./sql.ts";

export const TOKENS_CHANNEL = "entente_tokens";
/** application_name of the LISTEN connections (pg_stat_activity shows them; tests cut them). */
export const TOKEN_LISTENER_APPLICATION_NAME = "entente-token-listen";

/** Migration 160 (PostgreSQL): any statement deleting or changing access_tokens rows notifies at its COMMIT. */
export async function tokenRevocationTrigger(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await tx.run(`CREATE OR REPLACE FUNCTION entente_tokens_revoked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${TOKENS_CHANNEL}', ''); RETURN NULL; END $$`);
  await tx.run("CREATE TRIGGER access_tokens_revoked AFTER DELETE OR UPDATE OR TRUNCATE ON access_tokens FOR EACH STATEMENT EXECUTE FUNCTION entente_tokens_revoked()");
}

export class TokenRevocations {
  private readonly listener: PgListener;
  private readonly cache: AccessTokenCache;

  constructor(deps: { url: string; cache: AccessTokenCache; log: Logger; heartbeatMs?: number; heartbeatTimeoutMs?: number }) {
    const { cache } = deps;
    this.listener = new PgListener({
      url: deps.url, channel: TOKENS_CHANNEL, applicationName: TOKEN_LISTENER_APPLICATION_NAME, log: deps.log, what: "token revocation",
      notification: () => cache.clear(), up: () => cache.enable(), down: () => cache.disable(),
      ...(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs }),
      ...(deps.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: deps.heartbeatTimeoutMs }),
    });
    this.cache = cache;
  }

  /** Resolves once LISTEN is in place, or after a failed first attempt (the cache stays off, retried). */
  start(): Promise<void> {
    return this.listener.startOrRetry();
  }

  async stop(): Promise<void> {
    await this.listener.stop();
    this.cache.disable();
  }
}
