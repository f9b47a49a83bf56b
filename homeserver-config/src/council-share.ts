// Each council's citizen sharing service under `entente start` (appservices/share), run in the
// entente process itself: it is plain HTTP and files, with no crypto store of its own (unlike the
// bots), so a child process per council would only cost memory. Its log goes to
// <council>/share.log; a port that cannot be bound is reported and the councils keep running.
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { startShareService, type RunningShareService } from "../../appservices/share/src/share-server.ts";
import { archiveRoute } from "../../appservices/share/src/archive-route.ts";
import { archiveKeyPathsIn } from "./archive-key-files.ts";
import type { Io } from "./cli-kit.ts";
import type { ShareConfig } from "./share-config.ts";

export interface ShareTarget {
  council: string;
  serverName: string;
  councilDir: string;
  /** The council's client API, for the agents' /account/whoami. */
  homeserverUrl: string;
  config: ShareConfig | undefined;
}

export interface ShareLine {
  council: string;
  serverName: string;
  /** The public base of the links, when running. */
  url: string | undefined;
  log: string;
  problem: string | undefined;
}

export interface CouncilShares {
  lines: ShareLine[];
  close(): Promise<void>;
}

/** Where `entente archive-key create|import|archivist` write the keys (read at the first export; missing: "not configured"). */
function archiveKeys(councilDir: string): { signingKeyFile: string; archivistKeyFile: string; passphrase?: string } {
  const k = archiveKeyPathsIn(councilDir);
  const passphrase = process.env["ENTENTE_ARCHIVE_KEY_PASSPHRASE"];
  return { signingKeyFile: k.secret, archivistKeyFile: k.archivist, ...(passphrase !== undefined && { passphrase }) };
}

async function startOne(t: ShareTarget): Promise<{ line: ShareLine; running?: RunningShareService; logFile?: WriteStream }> {
  const logPath = join(t.councilDir, "share.log");
  const base = { council: t.council, serverName: t.serverName, log: logPath };
  const c = t.config;
  if (c === undefined) return { line: { ...base, url: undefined, problem: "no share.yaml (run `entente init` again to write it)" } };
  const logFile = createWriteStream(logPath, { flags: "a", mode: 0o600 });
  const log = (line: string): void => void logFile.write(`${new Date().toISOString()} ${line}\n`);
  try {
    const running = await startShareService({
      dataDir: c.dataDir, homeserverUrl: t.homeserverUrl, host: c.listener.host, port: c.listener.port, publicUrl: c.publicUrl,
      maxBytes: c.maxUploadBytes, limits: { maxExpiryHours: c.maxExpiryHours, maxDownloads: c.maxDownloads }, log,
      // Exports for archiving from the client: signed with the council's archive key, for the archivist's (archive-route.ts).
      routes: [archiveRoute({ keys: archiveKeys(t.councilDir), homeserverUrl: t.homeserverUrl })],
    });
    log(`started on ${running.url}, links ${c.publicUrl}, data ${c.dataDir}`);
    return { line: { ...base, url: c.publicUrl, problem: undefined }, running, logFile };
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    log(`not started: ${why}`);
    logFile.end();
    return { line: { ...base, url: undefined, problem: `${c.listener.host}:${c.listener.port}: ${why}` } };
  }
}

export async function startCouncilShares(targets: readonly ShareTarget[], io: Io): Promise<CouncilShares> {
  const started = await Promise.all(targets.map(startOne));
  for (const s of started) if (s.line.problem !== undefined) io.err(`entente: the share service of ${s.line.council} is not running: ${s.line.problem}\n`);
  return {
    lines: started.map((s) => s.line),
    close: async () => {
      await Promise.all(started.map(async (s) => {
        await s.running?.close();
        await new Promise<void>((resolve) => (s.logFile ? s.logFile.end(resolve) : resolve()));
      }));
    },
  };
}

/** The start table's lines about the share services (French and English). */
export function shareNotes(lines: readonly ShareLine[]): string[] {
  return lines.map((l) => l.url !== undefined
    ? `Partage citoyen / citizen sharing ${l.council}: ${l.url} (journal / log: ${l.log})`
    : `Partage citoyen / citizen sharing ${l.council}: arrêté / not running (${l.problem ?? ""})`);
}

/** config.json's section telling the web client each council's share service, by server name. */
export function shareClientConfig(lines: readonly ShareLine[]): Record<string, unknown> {
  const services = Object.fromEntries(lines.flatMap((l) => (l.url !== undefined ? [[l.serverName, l.url]] : [])));
  return { share: { services } };
}
