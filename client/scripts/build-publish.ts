// A vite build published into a dist folder that another process may be serving (several test runs
// or a demo in one checkout): vite builds into a temporary folder, then each file is moved in by
// an atomic rename, hashed bundles first and index.html last, and the bundles of earlier builds
// stay an hour. Building in place let vite empty the folder under a running server: a page load or
// a lazily imported bundle answered "not found". Used by the client's and the widgets' builds.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

/** How long a bundle of an earlier build is kept for pages loaded before the rebuild. */
const EARLIER_BUNDLES_KEPT_MS = 60 * 60 * 1000;

/** `vite build` of the app at `root` (its vite.config.ts), published into `distDir` without removing a served file. */
export async function viteBuildInto(root: string, distDir: string): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "entente-build-"));
  try {
    const { build } = await import("vite");
    await build({ root, configFile: join(root, "vite.config.ts"), logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    const files = filesUnder(out);
    const last = (f: string): number => (f === "index.html" ? 1 : 0);
    for (const f of files.sort((a, b) => last(a) - last(b))) moveIn(join(out, f), join(distDir, f));
    pruneEarlierBundles(distDir, new Set(files));
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
function pruneEarlierBundles(distDir: string, current: ReadonlySet<string>): void {
  const assets = join(distDir, "assets");
  let names: string[];
  try {
    names = readdirSync(assets);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (current.has(join("assets", name))) continue;
    const path = join(assets, name);
    try {
      if (now - statSync(path).mtimeMs > EARLIER_BUNDLES_KEPT_MS) rmSync(path, { force: true });
    } catch {
      // Gone already: another process pruned it.
    }
  }
}
