// For tests/appservice.test.ts: a small real HTTP server playing an application service (it
// records every transaction attempt, can be down, answers queries), registration files, and a
// homeserver that can be stopped and started again on the same folder.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../homeserver/src/server/compose.ts";
import { testConfig, type ConfigOverrides } from "./harness/test-config.ts";
import { waitFor } from "./harness/homeserver.ts";

export const C = "/_matrix/client/v3";

export interface Reply {
  status: number;
  body: any;
}

export async function call(base: string, method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers["Authorization"] = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + path, { method, headers, ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

export function expectError(r: Reply, status: number, errcode: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body?.errcode, errcode, JSON.stringify(r.body));
}

export interface Attempt {
  txnId: string;
  body: any;
  /** The status answered; 0 when the homeserver had already dropped the connection (it never saw an answer). */
  answered: number;
}

/** What the fake appservice answers: up (200), down (503) or wrong token (403, as for a bad hs_token). */
export type Mode = "up" | "down" | "forbidden";

export class FakeAppservice {
  mode: Mode = "up";
  readonly hsToken: string;
  /** Every PUT /transactions, in arrival order, with what it was answered. */
  readonly attempts: Attempt[] = [];
  readonly pings: any[] = [];
  readonly queries: string[] = [];
  /** Transactions acknowledged a second time (a homeserver that READ the acknowledgement must never resend one). */
  duplicates = 0;
  /** Their ids. */
  readonly duplicateIds: string[] = [];
  onUserQuery: (userId: string) => Promise<boolean> = async () => false;
  onAliasQuery: (alias: string) => Promise<boolean> = async () => false;
  private readonly server: Server;
  private readonly acked = new Set<string>();
  url = "";

  constructor(hsToken: string) {
    this.hsToken = hsToken;
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body)));
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Transactions answered 200, in order. */
  get accepted(): Attempt[] {
    return this.attempts.filter((a) => a.answered === 200);
  }

  /**
   * The first acknowledgement of each transaction id: what an appservice keeps, since the spec has
   * it ignore a transaction id it already processed. A homeserver may rightly send one twice when
   * it never read the answer (a request it aborted on stop, processed by the appservice anyway).
   */
  get delivered(): Attempt[] {
    const seen = new Set<string>();
    return this.accepted.filter((a) => !seen.has(a.txnId) && seen.add(a.txnId));
  }

  /** Every event of the delivered transactions, in delivery order. */
  events(): any[] {
    return this.delivered.flatMap((a) => a.body.events as any[]);
  }

  ephemeral(key: string): any[] {
    return this.delivered.flatMap((a) => (a.body[key] as any[] | undefined) ?? []);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    // The answer follows the mode when the request is read, not after its body is.
    const mode = this.mode;
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString("utf8");
    const body: any = text === "" ? undefined : JSON.parse(text);
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (req.headers.authorization !== `Bearer ${this.hsToken}`) return { status: 403, body: { errcode: "M_FORBIDDEN" } };
    const txn = /^\/_matrix\/app\/v1\/transactions\/(.+)$/.exec(path);
    if (req.method === "PUT" && txn) return this.transaction(txn[1] ?? "", body, mode, req);
    if (req.method === "POST" && path === "/_matrix/app/v1/ping") {
      this.pings.push(body);
      return mode === "up" ? { status: 200, body: {} } : { status: mode === "down" ? 503 : 403, body: { errcode: "M_FORBIDDEN" } };
    }
    this.queries.push(`${req.method} ${path}`);
    const user = /^\/_matrix\/app\/v1\/users\/(.+)$/.exec(path);
    if (user) return (await this.onUserQuery(user[1] ?? "")) ? { status: 200, body: {} } : { status: 404, body: { errcode: "NOT_HERE" } };
    const room = /^\/_matrix\/app\/v1\/rooms\/(.+)$/.exec(path);
    if (room) return (await this.onAliasQuery(room[1] ?? "")) ? { status: 200, body: {} } : { status: 404, body: { errcode: "NOT_HERE" } };
    return { status: 404, body: { errcode: "M_UNRECOGNIZED" } };
  }

  private transaction(txnId: string, body: any, mode: Mode, req: IncomingMessage): { status: number; body: unknown } {
    const status = mode === "up" ? 200 : mode === "down" ? 503 : 403;
    // A connection the homeserver already closed (its request aborted by a stop) gets no answer:
    // the transaction is not acknowledged and will rightly be sent again.
    const answered = req.socket.destroyed ? 0 : status;
    this.attempts.push({ txnId, body, answered });
    if (answered === 200) {
      if (this.acked.has(txnId)) {
        this.duplicates++;
        this.duplicateIds.push(txnId);
      }
      this.acked.add(txnId);
    }
    return { status, body: status === 200 ? {} : { errcode: "M_UNKNOWN" } };
  }
}

/** Writes a registration file and returns its path. */
export function writeRegistration(dir: string, name: string, yaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** A homeserver on a folder of its own that can be restarted on the same database. */
export class RestartableHomeserver {
  readonly dir = mkdtempSync(join(tmpdir(), "entente-as-hs-"));
  hs: RunningHomeserver | undefined;
  private readonly overrides: ConfigOverrides;

  constructor(overrides: ConfigOverrides) {
    this.overrides = overrides;
  }

  get url(): string {
    assert.ok(this.hs, "homeserver not running");
    return this.hs.url;
  }

  async start(): Promise<this> {
    this.hs = await startHomeserver(testConfig(this.dir, this.overrides));
    return this;
  }

  async stop(): Promise<void> {
    await this.hs?.stop();
    this.hs = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value (the harness's waitFor). */
export const until = waitFor;
