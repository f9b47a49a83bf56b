// Keeps the server's files readable by its own account only. The database holds password hashes,
// key backups, to-device messages and every message; media and signing keys are as sensitive.
// New files are private through the process umask (set by the bin) and explicit modes; installs made
// before that are fixed here at start-up: group and other permission bits are removed.
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import type { HomeserverConfig } from "../config/config-types.ts";
import type { Logger } from "./log.ts";

export interface PrivateTargets {
  /** Directory trees: the root and everything below it (data_dir, media). */
  trees: string[];
  /** Single files (database files, keys, registrations); missing ones are skipped. */
  files: string[];
}

export interface PermissionFix {
  path: string;
  from: number;
  to: number;
}

export interface TightenReport {
  fixed: PermissionFix[];
  /** Entries examined (files and directories), to show the walk stays bounded. */
  examined: number;
  /** Paths that could not be fixed (not ours, or chmod failed), with the reason. */
  failed: { path: string; error: string }[];
}

/** The mode without group/other bits, or undefined when it has none (nothing to fix). */
export function privateMode(mode: number): number | undefined {
  const perms = mode & 0o7777;
  return (perms & 0o077) === 0 ? undefined : perms & ~0o077;
}

/** "path 0644→0600" for the log line. */
export const describeFix = (f: PermissionFix): string => `${f.path} ${octal(f.from)}→${octal(f.to)}`;
const octal = (m: number): string => m.toString(8).padStart(4, "0");

/** The SQLite database and the files SQLite keeps beside it. */
export const sqliteFiles = (dbPath: string): string[] => ["", "-wal", "-shm", "-journal"].map((s) => dbPath + s);

/**
 * Removes group/other permissions from the targets. A tree whose root is already private is not
 * walked: nobody else can reach what is inside, and a start-up does not stat every media file each
 * time. Symbolic links are neither followed nor changed; entries of another owner are reported.
 */
export function tightenPermissions(targets: PrivateTargets): TightenReport {
  const report: TightenReport = { fixed: [], examined: 0, failed: [] };
  const uid = process.getuid?.();
  const fix = (path: string, st: Stats): void => {
    const to = privateMode(st.mode);
    if (to === undefined) return;
    if (uid !== undefined && st.uid !== uid) {
      report.failed.push({ path, error: `owned by uid ${st.uid}, not by this process (uid ${uid})` });
      return;
    }
    try {
      chmodSync(path, to);
      report.fixed.push({ path, from: st.mode & 0o7777, to });
    } catch (e) {
      report.failed.push({ path, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const walk = (path: string, st: Stats): void => {
    fix(path, st);
    if (!st.isDirectory()) return;
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      const cst = statOrUndefined(child);
      if (cst === undefined || cst.isSymbolicLink()) continue;
      report.examined++;
      walk(child, cst);
    }
  };
  for (const root of new Set(targets.trees)) {
    const st = statOrUndefined(root);
    if (st === undefined || st.isSymbolicLink()) continue;
    report.examined++;
    if (privateMode(st.mode) === undefined) continue;
    walk(root, st);
  }
  for (const file of new Set(targets.files)) {
    const st = statOrUndefined(file);
    if (st === undefined || st.isSymbolicLink()) continue;
    report.examined++;
    fix(file, st);
  }
  return report;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if (typeof e === "object" && e !== null && "code" in e && e.code === "ENOENT") return undefined;
    throw e;
  }
}

/** Every path of the config that holds data or secrets. */
export function dataTargets(config: HomeserverConfig): PrivateTargets {
  const files = [config.server.signingKeyPath, ...config.appservices.registrationFiles];
  if (config.database.type === "sqlite") files.push(...sqliteFiles(config.database.path));
  if (config.federation.tls) files.push(config.federation.tls.keyPath);
  return { trees: [config.server.dataDir, config.media.path], files };
}

/** Shown in the log line; the count says how many more were fixed. */
const LOGGED_PATHS = 20;

/**
 * Before the database opens: creates the data directories private, creates an empty SQLite file
 * 0600 (SQLite gives its -wal and -shm files the mode of the database file, whatever the umask),
 * then fixes what an older install left readable, in one log line.
 */
export function prepareDataAtRest(config: HomeserverConfig, log: Logger): TightenReport {
  const dirs = [config.server.dataDir, config.media.path];
  if (config.database.type === "sqlite") dirs.push(dirname(config.database.path));
  for (const dir of dirs) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (config.database.type === "sqlite") closeSync(openSync(config.database.path, "a", 0o600));
  const report = tightenPermissions(dataTargets(config));
  if (report.fixed.length > 0) {
    log.warn("data at rest was readable by other local users: permissions fixed", {
      fixed: report.fixed.length, examined: report.examined,
      paths: report.fixed.slice(0, LOGGED_PATHS).map(describeFix),
      ...(report.fixed.length > LOGGED_PATHS ? { more: report.fixed.length - LOGGED_PATHS } : {}),
    });
  }
  for (const f of report.failed) log.warn("data at rest: cannot make this path private", { path: f.path, error: f.error });
  return report;
}
