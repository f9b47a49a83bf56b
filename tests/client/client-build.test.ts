// A rebuild of the web client or of a widget never takes away a file another process is serving
// (several test runs or a demo share client/dist and widgets/*/dist): every file of the previous
// build stays readable during and after the rebuild, and the new index.html names only bundles
// already there. Before, vite emptied the dist folder at the start of its build, and a running
// test's page load answered "not found".
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { DIST_DIR, ensureClientBuild } from "../../client/scripts/client-build.ts";
import { ensureWidgetBuilds, widgetApps } from "../../widgets/scripts/widgets-build.ts";

const filesUnder = (dist: string): string[] =>
  readdirSync(dist, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => relative(dist, join(e.parentPath, e.name)));

/** Forces a rebuild of `dist` (its stamp removed, as a source edit would) and watches its files on every event-loop turn. */
async function rebuildWatched(dist: string, build: () => Promise<unknown>): Promise<void> {
  await build();
  // The stamp is the staleness mark removed here; .tmp files are another build moving in.
  const served = filesUnder(dist).filter((f) => f !== ".build-stamp" && !f.endsWith(".tmp"));
  assert.ok(served.includes("index.html"), "a build to start from");
  rmSync(join(dist, ".build-stamp"), { force: true });
  const missing = new Set<string>();
  let building = true;
  const watch = async (): Promise<void> => {
    while (building) {
      for (const f of served) if (!existsSync(join(dist, f))) missing.add(f);
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  const watching = watch();
  try {
    await build();
  } finally {
    building = false;
    await watching;
  }
  assert.deepEqual([...missing], [], "files of the served build that vanished during the rebuild");
  assert.ok(existsSync(join(dist, ".build-stamp")), "rebuilt");
  const index = readFileSync(join(dist, "index.html"), "utf8");
  const named = [...index.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
  assert.ok(named.length > 0, "index.html names its bundles");
  for (const f of named) assert.ok(existsSync(join(dist, f)), `${f} named by index.html is there`);
}

describe("web client and widget builds", function () {
  this.timeout(240_000);

  it("a client rebuild keeps every file of the build being served, index.html last", async () => {
    await rebuildWatched(DIST_DIR, () => ensureClientBuild());
  });

  it("a widget rebuild keeps every file of the build being served", async () => {
    const jitsi = widgetApps().find((a) => a.name === "jitsi");
    assert.ok(jitsi, "widgets/jitsi");
    await rebuildWatched(jitsi.distDir, () => ensureWidgetBuilds());
  });
});
