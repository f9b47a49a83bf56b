// One dedicated PostgreSQL connection LISTENing on a channel (client readers' wake-ups,
// stream-channel.ts; access-token revocations, token-revocations.ts). On its loss it reconnects
// (100 ms, doubling to 2 s) and reports `up` again, so the owner re-reads what it may have missed.
// A connection that died silently (a half-open TCP flow behind a NAT or a failover: no error, no
// end, notifications simply stop) is found by a heartbeat: `SELECT 1` every `heartbeatMs` (15 s)
// must answer within `heartbeatTimeoutMs` (5 s), else the connection counts as lost; TCP
// keep-alive probes start after 10 s idle.
import pg from "pg";
import type { Logger } from "../server/log.ts";

export interface PgListenerOptions {
  url: string;
  channel: string;
  /** application_name of the connection (pg_stat_activity shows it; tests cut it). */
  applicationName: string;
  log: Logger;
  /** Names the connection in log lines ("worker", "token revocation"). */
  what: string;
  notification(payload: string | undefined): void;
  /** LISTEN is in place (first time and after each reconnection): anything may have been missed before. */
  up(): void;
  /** The connection is lost (a reconnection follows unless stopped). */
  down?(): void;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

export class PgListener {
  private readonly o: PgListenerOptions;
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Times LISTEN came up (tests read it). */
  connections = 0;

  constructor(options: PgListenerOptions) {
    this.o = options;
  }

  /** Resolves once LISTEN is in place; rejects if the first attempt fails (nothing retried). */
  start(): Promise<void> {
    return this.connect();
  }

  /** Resolves once LISTEN is in place, or after a failed first attempt, which is then retried. */
  async startOrRetry(): Promise<void> {
    await this.connect().catch((e: unknown) => {
      this.o.log.warn(`${this.o.what} LISTEN failed, retrying`, { error: e instanceof Error ? e.message : String(e) });
      this.retry();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.o.url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: this.o.applicationName });
    let up = false;
    let lost = false;
    const onLost = (why: string): void => {
      // before LISTEN is in place a failure is the caller's (start() rejects, retry() retries)
      if (!up || lost) return;
      lost = true;
      clearInterval(this.heartbeat);
      this.o.down?.();
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.o.log.warn(`${this.o.what} LISTEN connection lost, reconnecting`, { reason: why, retry_ms: this.retryMs });
      this.retry();
    };
    client.on("error", (e) => onLost(e.message));
    client.on("end", () => onLost("connection ended"));
    client.on("notification", (n) => {
      if (n.channel === this.o.channel) this.o.notification(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.o.channel}`);
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
    this.connections++;
    this.o.up();
    this.beat(client, onLost);
  }

  private beat(client: pg.Client, onLost: (why: string) => void): void {
    const every = this.o.heartbeatMs ?? 15_000;
    const within = this.o.heartbeatTimeoutMs ?? 5_000;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to the heartbeat within ${within} ms`)), within);
      });
      Promise.race([client.query("SELECT 1"), late])
        .catch((e: unknown) => onLost(e instanceof Error ? e.message : String(e)))
        .finally(() => clearTimeout(timer));
    }, every);
    this.heartbeat.unref();
  }

  private retry(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.connect().catch((e: unknown) => {
        this.o.log.warn(`${this.o.what} LISTEN reconnect failed`, { error: e instanceof Error ? e.message : String(e) });
        this.retryMs = Math.min(this.retryMs * 2, 2_000);
        this.retry();
      });
    }, this.retryMs);
  }
}
