// PostgreSQL: every process that keeps access tokens (AccessTokenCache) LISTENs for deletions of
// access_tokens rows, made by any process: migration 160's statement trigger NOTIFYs on this
// channel, delivered when the deleting transaction commits. One dedicated connection; while it is
// down the cache is off, and it reconnects (100 ms doubling to 2 s), then turns the cache back on.
// A connection that died silently (a half-open TCP flow behind a NAT or a failover: no error, no
// end, notifications simply stop) is found by a heartbeat: `SELECT 1` every `heartbeatMs` (15 s)
// must answer within `heartbeatTimeoutMs` (5 s), else the connection counts as lost. Between the
// death and its detection, kept tokens still expire after the cache's own age limit (60 s).
import pg from "pg";
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
  private readonly url: string;
  private readonly cache: AccessTokenCache;
  private readonly log: Logger;
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;

  constructor(deps: { url: string; cache: AccessTokenCache; log: Logger; heartbeatMs?: number; heartbeatTimeoutMs?: number }) {
    this.url = deps.url;
    this.cache = deps.cache;
    this.log = deps.log;
    this.heartbeatMs = deps.heartbeatMs ?? 15_000;
    this.heartbeatTimeoutMs = deps.heartbeatTimeoutMs ?? 5_000;
  }

  /** Resolves once LISTEN is in place, or after a failed first attempt (the cache stays off, retried). */
  async start(): Promise<void> {
    await this.connect().catch((e: unknown) => {
      this.log.warn("token revocation LISTEN failed, access tokens not cached", { error: e instanceof Error ? e.message : String(e) });
      this.retry();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.cache.disable();
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: TOKEN_LISTENER_APPLICATION_NAME });
    let up = false;
    let lost = false;
    const onLost = (why: string): void => {
      if (!up || lost) return;
      lost = true;
      clearInterval(this.heartbeat);
      this.cache.disable();
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn("token revocation LISTEN connection lost, reconnecting", { reason: why, retry_ms: this.retryMs });
      this.retry();
    };
    client.on("error", (e) => onLost(e.message));
    client.on("end", () => onLost("connection ended"));
    client.on("notification", (n) => {
      if (n.channel === TOKENS_CHANNEL) this.cache.clear();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKENS_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    up = true;
    this.client = client;
    this.retryMs = 100;
    this.cache.enable();
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to the heartbeat within ${this.heartbeatTimeoutMs} ms`)), this.heartbeatTimeoutMs);
      });
      Promise.race([client.query("SELECT 1"), late])
        .catch((e: unknown) => onLost(e instanceof Error ? e.message : String(e)))
        .finally(() => clearTimeout(timer));
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private retry(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.connect().catch((e: unknown) => {
        this.log.warn("token revocation LISTEN reconnect failed", { error: e instanceof Error ? e.message : String(e) });
        this.retryMs = Math.min(this.retryMs * 2, 2_000);
        this.retry();
      });
    }, this.retryMs);
  }
}
