// A rebuild of the web client never takes away a file another process is serving (several test runs
// or a demo share client/dist): every file of the previous build stays readable during and after
// the rebuild, and the new index.html names only bundles already there. Before, vite emptied
// client/dist at the start of its build, and a running test's page load answered "not found".
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { DIST_DIR, ensureClientBuild } from "../../client/scripts/client-build.ts";

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => relative(DIST_DIR, join(e.parentPath, e.name)));

describe("web client build", function () {
  this.timeout(240_000);

  it("a rebuild keeps every file of the build being served, index.html last", async () => {
    await ensureClientBuild();
    // The stamp is the staleness mark this test removes; .tmp files are another build moving in.
    const served = filesUnder(DIST_DIR).filter((f) => f !== ".build-stamp" && !f.endsWith(".tmp"));
    assert.ok(served.includes("index.html"), "a build to start from");

    // Forced rebuild (the stamp removed, as a source edit would), watched on every event-loop turn.
    rmSync(join(DIST_DIR, ".build-stamp"), { force: true });
    const missing = new Set<string>();
    let building = true;
    const watch = async (): Promise<void> => {
      while (building) {
        for (const f of served) if (!existsSync(join(DIST_DIR, f))) missing.add(f);
        await new Promise<void>((r) => setImmediate(r));
      }
    };
    const watching = watch();
    try {
      await ensureClientBuild();
    } finally {
      building = false;
      await watching;
    }
    assert.deepEqual([...missing], [], "files of the served build that vanished during the rebuild");

    const index = readFileSync(join(DIST_DIR, "index.html"), "utf8");
    const named = [...index.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
    assert.ok(named.length > 0, "index.html names its bundles");
    for (const f of named) assert.ok(existsSync(join(DIST_DIR, f)), `${f} named by index.html is there`);
  });
});
