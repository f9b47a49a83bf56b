// Builds client/dist when it is missing or older than the sources, so a fresh clone needs no
// manual step: `entente start`/`npm start` and the browser tests call this before serving.
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const CLIENT_DIR = join(import.meta.dirname, "..");
export const DIST_DIR = join(CLIENT_DIR, "dist");
const STAMP = join(DIST_DIR, ".build-stamp");

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function clientBuildIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  const sources = ["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) => join(CLIENT_DIR, p)).filter((p) => existsSync(p));
  return Math.max(...sources.map(newestMtime)) > statSync(STAMP).mtimeMs;
}

/** Runs `vite build` (a couple of seconds) if needed; returns the dist folder. */
export async function ensureClientBuild(log: (line: string) => void = () => undefined): Promise<string> {
  if (!clientBuildIsStale()) return DIST_DIR;
  log("entente: building the web client (client/dist)...\n");
  const { build } = await import("vite");
  await build({ root: CLIENT_DIR, configFile: join(CLIENT_DIR, "vite.config.ts"), logLevel: "warn" });
  writeFileSync(STAMP, new Date().toISOString());
  return DIST_DIR;
}
