// The councils the issue-16 probe runs against: made by `entente init` (bot registrations, TLS
// federation listener, default `info` logging to a log file, as `entente start` does), changed only
// where the probe needs it: rate limits off, open registration (to make 22 accounts quickly) and,
// for PostgreSQL, a fresh database, reached as production.md advises for a PostgreSQL on the same
// machine: through its Unix socket (`councilDatabaseUrl`). Each council runs `homeserver/src/bin/serve.ts` in its own
// process, with the environment `entente start` gives it (councilEnv: one malloc arena);
// stand-ins answer on the bots' ports, as the tasks and calendar bots do in a council.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { entente, freePortBlock } from "../harness/entente-cli.ts";
import { freshDatabase, PG_ADMIN_URL } from "../harness/postgres.ts";
import { waitExit } from "../harness/child-homeserver.ts";
import { councilEnv } from "../../homeserver-config/src/council-process.ts";

const SERVE = fileURLToPath(new URL("../../homeserver/src/bin/serve.ts", import.meta.url));

export type DbKind = "sqlite" | "postgres";

/** PostgreSQL's socket directory on this machine (Debian's default). */
const PG_SOCKET_DIR = "/var/run/postgresql";

/**
 * The URL a council uses for `url` (a database of the local PostgreSQL): over the Unix socket when
 * it is there, as docs/production.md tells councils to connect; ENTENTE_BENCH_PG_TCP=1 keeps TCP
 * loopback (earlier figures were taken that way), and so does an admin URL naming another host.
 */
export function councilDatabaseUrl(url: string): string {
  const u = new URL(url);
  const local = u.hostname === "127.0.0.1" || u.hostname === "localhost";
  if (!local || u.searchParams.has("host") || process.env["ENTENTE_BENCH_PG_TCP"] === "1") return url;
  if (!existsSync(join(PG_SOCKET_DIR, `.s.PGSQL.${u.port || "5432"}`))) return url;
  u.hostname = "localhost";
  u.searchParams.set("host", PG_SOCKET_DIR);
  return u.toString();
}

/** How the councils reach PostgreSQL, for row labels: "unix socket" or "TCP". */
export function pgTransport(): string {
  return councilDatabaseUrl(PG_ADMIN_URL).includes("host=") ? "unix socket" : "TCP";
}

export interface Council {
  name: string;
  serverName: string;
  url: string;
  child: ChildProcess;
  /** Its homeserver.yaml (client readers start from a copy). */
  configPath: string;
  /** Transactions the stand-in bots received (proof the pushers run). */
  botTransactions(): number;
}

export interface CouncilSet {
  councils: Council[];
  stop(): Promise<void>;
}

/** The bots of a council: they accept every transaction (what the real bots answer). */
function standInBot(port: number, counter: { n: number }): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "PUT" && req.url?.includes("/transactions/")) counter.n++;
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/**
 * `extraArgs` go to Node (e.g. --cpu-prof), `serveArgs` to serve.ts (e.g. --role client-reader
 * --port N); `plain`: without `entente`'s environment (plain `node serve.ts`, as before one malloc
 * arena).
 */
export function spawnCouncil(configPath: string, logPath: string, extraArgs: string[], serveArgs: string[] = [], plain = false): Promise<{ child: ChildProcess; url: string }> {
  const log = openSync(logPath, "a");
  const args = [...extraArgs, SERVE, "--config", configPath, ...serveArgs];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", log], env: plain ? process.env : councilEnv() });
  closeSync(log);
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /ready (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve({ child, url: m[1] });
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`council exited (${code}) before ready; log: ${readFileSync(logPath, "utf8").slice(-2000)}`)));
  });
}

export interface CouncilOptions {
  db: DbKind;
  /** Extra Node flags for the council processes (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Start them as plain `node serve.ts`, without `entente`'s Node flags and environment. */
  plain?: boolean;
  /** Text appended to every homeserver.yaml. */
  extraYaml?: string;
}

/** `entente init` of `names`, then each council started with its stand-in bots. */
export async function startCouncils(names: string[], opts: CouncilOptions): Promise<CouncilSet> {
  const dir = mkdtempSync(join(tmpdir(), "entente-probe-"));
  const base = await freePortBlock(4 * names.length);
  const args = ["init", dir, "--base-port", String(base)];
  for (const n of names) args.push("--council", n);
  const r = entente(args);
  if (r.code !== 0) throw new Error(`entente init failed: ${r.stderr}`);
  const councils: Council[] = [];
  const servers: Server[] = [];
  const drops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const c of councils) {
      c.child.kill("SIGTERM");
      await waitExit(c.child);
    }
    for (const s of servers) await new Promise((res) => s.close(res));
    for (const d of drops) await d();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, name] of names.entries()) {
      const ports = { tasks: base + 4 * i + 2, calendar: base + 4 * i + 3 };
      const config = join(dir, name, "homeserver.yaml");
      let yaml = readFileSync(config, "utf8").replace(/^registration:\n(\s+#.*\n)*\s+enabled: false$/m, "registration:\n  enabled: true");
      yaml += "rate_limits:\n";
      for (const k of ["login", "register", "send", "federation_send", "registration_nonce"]) yaml += `  ${k}: { per_second: 0, burst: 1 }\n`;
      if (opts.db === "postgres") {
        const db = await freshDatabase();
        drops.push(db.drop);
        yaml += `database:\n  type: postgres\n  url: "${councilDatabaseUrl(db.url)}"\n`;
      }
      writeFileSync(config, yaml + (opts.extraYaml ?? ""));
      const counter = { n: 0 };
      servers.push(await standInBot(ports.tasks, counter), await standInBot(ports.calendar, counter));
      const { child, url } = await spawnCouncil(config, join(dir, name, "homeserver.log"), opts.nodeArgs ?? [], [], opts.plain === true);
      const serverName = /^\s+name: (\S+)$/m.exec(yaml)?.[1] ?? "";
      councils.push({ name, serverName, url, child, configPath: config, botTransactions: () => counter.n });
      appendFileSync(join(dir, "probe.txt"), `${name} ${url}\n`);
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  return { councils, stop: stopAll };
}
