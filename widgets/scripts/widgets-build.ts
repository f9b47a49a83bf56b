// Builds each widget app (a folder of widgets/ with index.html and vite.config.ts: jitsi, later
// tasks and calendar) into its dist/ when missing or older than its sources, the kit's or the
// protocol's (appservices/protocol), so `entente start` serves them on a fresh clone with no
// manual step, like the client.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { viteBuildInto } from "../../client/scripts/build-publish.ts";
import { buildIsStale } from "../../client/scripts/static-files.ts";

export const WIDGETS_DIR = join(import.meta.dirname, "..");
const KIT_SRC = join(WIDGETS_DIR, "kit", "src");
// The task board and the calendar bundle the protocol's fold and schemas: a change there rebuilds them.
const PROTOCOL_SRC = join(WIDGETS_DIR, "..", "appservices", "protocol", "src");

export interface WidgetApp { name: string; dir: string; distDir: string }

export function widgetApps(root: string = WIDGETS_DIR): WidgetApp[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, "index.html")) && existsSync(join(root, d.name, "vite.config.ts")))
    .map((d) => ({ name: d.name, dir: join(root, d.name), distDir: join(root, d.name, "dist") }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const stampOf = (app: WidgetApp): string => join(app.distDir, ".build-stamp");

export function widgetBuildIsStale(app: WidgetApp): boolean {
  return buildIsStale(stampOf(app), [...["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) => join(app.dir, p)), KIT_SRC, PROTOCOL_SRC]);
}

/** Runs `vite build` for each stale widget (a second or two each); returns every app. */
export async function ensureWidgetBuilds(log: (line: string) => void = () => undefined): Promise<WidgetApp[]> {
  const apps = widgetApps();
  for (const app of apps.filter(widgetBuildIsStale)) {
    log(`entente: building the ${app.name} widget (widgets/${app.name}/dist)...\n`);
    // Published without removing a file another process serves (client/scripts/build-publish.ts).
    await viteBuildInto(app.dir, app.distDir);
    writeFileSync(stampOf(app), new Date().toISOString());
  }
  return apps;
}
