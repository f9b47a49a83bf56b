// Builds client/dist when it is missing or older than the sources, so a fresh clone needs no
// manual step: `entente start`/`npm start` and the browser tests call this before serving. A
// rebuild never removes a file another process is serving (build-publish.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { viteBuildInto } from "./build-publish.ts";
import { buildIsStale } from "./static-files.ts";

export const CLIENT_DIR = join(import.meta.dirname, "..");
export const DIST_DIR = join(CLIENT_DIR, "dist");
const STAMP = join(DIST_DIR, ".build-stamp");

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

/** Always builds; returns the dist folder. */
export async function buildClient(log: (line: string) => void = () => undefined): Promise<string> {
  log("entente: building the web client (client/dist)...\n");
  await viteBuildInto(CLIENT_DIR, DIST_DIR);
  writeFileSync(STAMP, new Date().toISOString());
  return DIST_DIR;
}
