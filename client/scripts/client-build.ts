// Builds client/dist when it is missing or older than the sources, so a fresh clone needs no
// manual step: `entente start`/`npm start` and the browser tests call this before serving.
//
// Another process may be serving client/dist while this one rebuilds it (several test runs or a
// demo in one checkout): vite builds into a temporary folder, then each file is moved in by an
// atomic rename, hashed bundles first and index.html last, and the bundles of earlier builds stay
// an hour. Building in place let vite empty the folder under a running server: a page load or a
// lazily imported bundle answered "not found".
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { buildIsStale } from "./static-files.ts";

export const CLIENT_DIR = join(import.meta.dirname, "..");
export const DIST_DIR = join(CLIENT_DIR, "dist");
const STAMP = join(DIST_DIR, ".build-stamp");
/** How long a bundle of an earlier build is kept for pages loaded before the rebuild. */
const EARLIER_BUNDLES_KEPT_MS = 60 * 60 * 1000;

export function clientBuildIsStale(): boolean {
  // The client bundles code from appservices/ too (protocol, files, ...): an edit there must rebuild it.
  const shared = ["files", "kit", "protocol", "share", "tasks"].map((p) => join(CLIENT_DIR, "..", "appservices", p, "src"));
  return buildIsStale(STAMP, [...["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) => join(CLIENT_DIR, p)), ...shared]);
}

/** Runs `vite build` (a couple of seconds) if needed; returns the dist folder. */
export async function ensureClientBuild(log: (line: string) => void = () => undefined): Promise<string> {
  if (!clientBuildIsStale()) return DIST_DIR;
  return buildClient(log);
}

/** Always builds, then publishes the build into client/dist without ever removing a file being served. */
export async function buildClient(log: (line: string) => void = () => undefined): Promise<string> {
  log("entente: building the web client (client/dist)...\n");
  const out = mkdtempSync(join(tmpdir(), "entente-client-build-"));
  try {
    const { build } = await import("vite");
    await build({ root: CLIENT_DIR, configFile: join(CLIENT_DIR, "vite.config.ts"), logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    const files = filesUnder(out);
    const last = (f: string): number => (f === "index.html" ? 1 : 0);
    for (const f of files.sort((a, b) => last(a) - last(b))) moveIn(join(out, f), join(DIST_DIR, f));
    pruneEarlierBundles(new Set(files));
    writeFileSync(STAMP, new Date().toISOString());
    return DIST_DIR;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), base) : [relative(base, join(dir, e.name))]));
}

/** Copied next to its place (the build folder may be on another file system), then renamed over it. */
function moveIn(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/** Bundles (assets/) of earlier builds, once older than the hour a page loaded before may still ask for them. */
function pruneEarlierBundles(current: ReadonlySet<string>): void {
  const assets = join(DIST_DIR, "assets");
  const now = Date.now();
  for (const name of readdirSync(assets)) {
    const rel = join("assets", name);
    if (current.has(rel)) continue;
    const path = join(assets, name);
    try {
      if (now - statSync(path).mtimeMs > EARLIER_BUNDLES_KEPT_MS) rmSync(path, { force: true });
    } catch {
      // Gone already: another process pruned it.
    }
  }
}
