// `entente start DIR`: every council of DIR/federation.yaml as a child process, each checked
// healthy, admin and demo accounts created if missing, then a table of URLs and accounts. Ctrl-C
// or SIGTERM stops everything (exit 0); a council dying stops the others (exit 1, its last lines).
import { existsSync, readFileSync } from "node:fs";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";
import { ConfigError, loadConfig } from "../../homeserver/src/config/load-config.ts";
import { CliError, type Io } from "./cli-kit.ts";
import { portProblem, probeFederation, waitClientApi } from "./council-health.ts";
import { appservicePath, councilPaths, federationFilePath, type CouncilPaths } from "./council-paths.ts";
import { addDemoWidgets } from "./demo-widgets.ts";
import { demoArchiveNote, ensureDemoArchiveKeys } from "./demo-archive-keys.ts";
import { spawnCouncil, stopCouncils, type CouncilProcess } from "./council-process.ts";
import { startCouncilBots, stopBots, type BotProcess } from "./council-bots.ts";
import { RADICALE_BIN, startDemoRadicale, type DemoCaldav } from "./demo-radicale.ts";
import { readFederationFile, type CouncilEntry, type FederationFile } from "./federation-file.ts";
import { readDemoAccounts } from "./init-federation.ts";
import { accountStatus, passwordColumn, type AccountStatus } from "./account-status.ts";
import { withCouncilDatabase } from "./council-database.ts";
import { registerWithSharedSecret } from "./shared-secret-registration.ts";
import { formatStartTable, type AccountLine, type CouncilLine } from "./start-table.ts";
import { startWebClient } from "./web-client.ts";
import type { ServedClient } from "../../client/scripts/serve-client.ts";
import { loadShareConfig, type ShareConfig } from "./share-config.ts";
import { shareClientConfig, shareNotes, startCouncilShares, type CouncilShares } from "./council-share.ts";

export interface Council {
  entry: CouncilEntry;
  paths: CouncilPaths;
  config: HomeserverConfig;
  /** share.yaml, undefined when the council has none yet. */
  share: ShareConfig | undefined;
}

/** Every council's config, or one CliError listing every problem of every file. */
export function loadCouncils(dir: string, f: FederationFile, env: NodeJS.ProcessEnv): Council[] {
  const errors: string[] = [];
  const councils: Council[] = [];
  for (const entry of f.councils) {
    const paths = councilPaths(dir, entry.name);
    try {
      const config = loadConfig(paths.config, env);
      councils.push({ entry, paths, config, share: undefined });
    } catch (e: unknown) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(...e.errors);
    }
    try {
      const share = loadShareConfig(paths.dir, env);
      const c = councils.find((x) => x.entry === entry);
      if (c !== undefined) c.share = share;
    } catch (e: unknown) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(...e.errors);
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
  return councils;
}

async function checkPorts(councils: readonly Council[]): Promise<void> {
  const problems: string[] = [];
  for (const { entry, config } of councils) {
    const listeners = [["client", config.listeners.client], ...(config.federation.enabled ? [["federation", config.federation.listener] as const] : [])] as const;
    for (const [what, l] of listeners) {
      const problem = await portProblem(l.host, l.port);
      if (problem !== undefined) problems.push(`${entry.name}: ${what} port ${l.host}:${l.port} is not free (${problem}); is another \`entente start\` running?`);
    }
  }
  if (problems.length > 0) throw new CliError(problems.join("\n"));
}

const readSecretFile = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, "utf8").trim() || undefined : undefined);

/** Creates the admin and demo accounts that do not exist yet, through the running server. */
async function provisionAccounts(c: Council, url: string, f: FederationFile, io: Io): Promise<AccountLine[]> {
  const secret = c.config.registration.sharedSecret;
  if (secret === undefined) {
    io.err(`${c.entry.name}: registration.shared_secret is not set, admin and demo accounts not created\n`);
    return [];
  }
  const wanted: { username: string; password: string; admin: boolean; show: string }[] = [];
  const adminPassword = readSecretFile(c.paths.adminPassword);
  if (adminPassword !== undefined) wanted.push({ username: "admin", password: adminPassword, admin: true, show: `(in ${c.paths.adminPassword})` });
  const demo = readDemoAccounts(c.paths.demoAccounts);
  for (let i = 1; i <= f.demoUsers; i++) {
    const password = demo.get(`agent${i}`);
    if (password !== undefined) wanted.push({ username: `agent${i}`, password, admin: false, show: password });
  }
  const made: { w: (typeof wanted)[number]; userId: string; created: boolean }[] = [];
  for (const w of wanted) {
    const outcome = await registerWithSharedSecret(url, secret, w);
    made.push({ w, userId: `@${w.username}:${c.config.server.name}`, created: outcome === "created" });
  }
  // Accounts that already existed: their initial password is shown only if it still works.
  const statuses = new Map<string, AccountStatus>();
  if (made.some((m) => !m.created)) {
    await withCouncilDatabase(c.paths.config, io.env, async (db) => {
      for (const m of made) if (!m.created) statuses.set(m.userId, await accountStatus(db.users, m.userId, m.w.password));
    });
  }
  return made.map((m) => ({
    council: c.entry.name, userId: m.userId, password: passwordColumn(statuses.get(m.userId) ?? "current", m.w.show), admin: m.w.admin, created: m.created,
  }));
}

async function bringUp(c: Council, p: CouncilProcess, f: FederationFile, io: Io): Promise<{ line: CouncilLine; accounts: AccountLine[] }> {
  const url = await p.ready;
  await waitClientApi(url);
  const [federation, accounts] = await Promise.all([probeFederation(c.config), provisionAccounts(c, url, f, io)]);
  const fed = c.config.federation;
  const fedUrl = `${fed.tls === undefined ? "http" : "https"}://${fed.listener.host}:${fed.listener.port}`;
  return { line: { council: c.entry.name, serverName: c.config.server.name, clientUrl: url, federationUrl: fedUrl, federation, pid: p.child.pid ?? 0, log: c.paths.log }, accounts };
}

function deathReport(p: CouncilProcess, code: number | null, signal: string | null): string {
  return [`entente: council ${p.name} stopped (${signal ?? `exit code ${code}`}); stopping the others. Last lines:`,
    ...p.lastLines().map((l) => `  ${p.name}| ${l}`)].join("\n") + "\n";
}

/** The start table's line about the demo's CalDAV server. */
export function caldavNote(caldav: DemoCaldav): string {
  return caldav.kind === "running"
    ? `Agenda CalDAV (démo) : Radicale ${caldav.radicale.collectionUrl} en marche / running (données temporaires / temporary data: ${caldav.radicale.storage})`
    : `Agenda CalDAV (démo) : Radicale absent, agendas dans Matrix seulement / not running, calendars are Matrix-only (${caldav.reason})`;
}

/**
 * seedDemo: the first council's tasks bot seeds the demo working group, and a Radicale (if
 * installed) is started for its calendar (`entente demo` only).
 */
export async function startFederation(dir: string, io: Io, opts: { seedDemo?: boolean } = {}): Promise<number> {
  const f = readFederationFile(federationFilePath(dir));
  const councils = loadCouncils(dir, f, io.env);
  await checkPorts(councils);
  const caldav: DemoCaldav | undefined = opts.seedDemo === true ? await startDemoRadicale(io.env["ENTENTE_RADICALE_BIN"] ?? RADICALE_BIN) : undefined;
  // The demo's archive keys (councils' and archivist's), so « Exporter pour archivage » works.
  const archiveNote = opts.seedDemo !== true ? [] : await ensureDemoArchiveKeys(dir, councils.map((c) => ({ council: c.entry.name, serverName: c.config.server.name, councilDir: c.paths.dir }))).then(
    demoArchiveNote,
    (e: unknown) => { io.err(`entente: demo archive keys not created: ${e instanceof Error ? e.message : String(e)}\n`); return []; },
  );
  const processes = councils.map((c) => spawnCouncil(c.entry.name, c.paths.config, c.paths.log));
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  let stopping = false;
  let webClient: ServedClient | undefined;
  let shares: CouncilShares | undefined;
  const bots: BotProcess[] = [];
  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    // Bots first: they talk to their council until they stop.
    void stopBots(bots, undefined, (line) => io.err(line)).then(() => stopCouncils(processes)).then(() => (caldav?.kind === "running" ? caldav.radicale.stop() : undefined)).then(() => finish(code));
  };
  const onSignal = (): void => {
    if (!stopping) io.err("entente: stopping the councils...\n");
    shutdown(0);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.on(s, onSignal);
  // Last resort if entente itself dies abruptly: children are in their own process group.
  const killAll = (): void => void processes.forEach((p) => p.alive() && p.child.kill("SIGKILL"));
  process.on("exit", killAll);
  for (const p of processes) {
    void p.exited.then(({ code, signal }) => {
      if (stopping) return;
      io.err(deathReport(p, code, signal));
      shutdown(1);
    });
  }
  Promise.all(councils.map((c, i) => bringUp(c, processes[i] as CouncilProcess, f, io))).then(
    (up) => {
      if (stopping) return;
      // The bots (one process each, council-bots.ts) once every council answers, so the demo
      // seed can invite agents of all of them.
      const targets = councils.map((c, i) => ({ council: c.entry.name, paths: c.paths, serverName: c.config.server.name, clientUrl: up[i]?.line.clientUrl ?? "" }));
      // Each bot is known to shutdown as soon as it is spawned (the calendar bots start first).
      const botsUp = startCouncilBots(targets, opts.seedDemo === true ? f.demoUsers : 0, io, caldav, (b) => {
        bots.push(b);
        if (stopping) void stopBots([b]);
      });
      void startCouncilShares(councils.map((c, i) => ({
        council: c.entry.name, serverName: c.config.server.name, councilDir: c.paths.dir, homeserverUrl: up[i]?.line.clientUrl ?? "", config: c.share,
      })), io).then((s) => {
        shares = s;
        if (stopping) return void s.close();
        return startWebClient(up.map((u) => u.line), io, shareClientConfig(s.lines)).then((web) => {
          webClient = web;
          if (stopping) return void web?.close();
          // The web client's address again under the accounts: what an agent opens first.
          const webNote = web === undefined ? [] : [`Web client / client web : ${web.url} (Entente, à ouvrir dans le navigateur / open it in a browser)`];
          io.out(formatStartTable(dir, up.map((u) => u.line), up.flatMap((u) => u.accounts), [...webNote, ...(caldav === undefined ? [] : [caldavNote(caldav)]), ...shareNotes(s.lines), ...archiveNote]));
          // The demo's working group: its task board and calendar, once its tasks bot seeded it.
          const first = targets[0];
          if (opts.seedDemo === true && web?.widgetsBaseUrl !== undefined && first !== undefined) {
            const target = { clientUrl: first.clientUrl, serverName: first.serverName, registrationFile: appservicePath(first.paths, "tasks"), widgetsBaseUrl: web.widgetsBaseUrl };
            void botsUp.then(() => (stopping ? 0 : addDemoWidgets(target))).then(
              (n) => { if (n > 0) io.out(`Groupe de travail : tableau des tâches et agenda ajoutés / working group: task board and calendar added (${web.widgetsBaseUrl})\n`); },
              (e: unknown) => io.err(`entente: demo widgets not added: ${e instanceof Error ? e.message : String(e)}\n`),
            );
          }
        });
      });
    },
    (e: unknown) => {
      if (stopping) return;
      io.err(`entente: start failed: ${e instanceof Error ? e.message : String(e)}\n`);
      shutdown(1);
    },
  );
  const code = await finished;
  await webClient?.close();
  await shares?.close();
  for (const s of signals) process.off(s, onSignal);
  process.off("exit", killAll);
  return code;
}
