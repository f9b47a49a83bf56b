// A council's homeserver runs with one malloc arena (12–15 MB less idle RSS: docs/perf/speed-3.md,
// "## burst"). The council is started as `entente start` starts it, and its process is read from /proc.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { councilEnv, spawnCouncil, stopCouncils, type CouncilProcess } from "./council-process.ts";

describe("council process: environment", function () {
  this.timeout(60_000);
  let root: string;
  let running: CouncilProcess | undefined;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "entente-council-process-"));
  });
  after(async () => {
    if (running) await stopCouncils([running]);
    rmSync(root, { recursive: true, force: true });
  });

  it("`entente start`'s council runs with MALLOC_ARENA_MAX=1", async function () {
    if (process.platform !== "linux") this.skip();
    const config = join(root, "homeserver.yaml");
    writeFileSync(config, [
      "server:", "  name: flags.test", "  data_dir: data", "  signing_key_path: signing.key",
      "listeners:", "  client: { host: 127.0.0.1, port: 0 }",
      "logging:", "  level: warn", "",
    ].join("\n"));
    running = spawnCouncil("flags", config, join(root, "homeserver.log"));
    await running.ready;
    const env = readFileSync(`/proc/${running.child.pid ?? 0}/environ`, "utf8").split("\0");
    assert.ok(env.includes("MALLOC_ARENA_MAX=1"), "one malloc arena");
  });

  it("an operator's own MALLOC_ARENA_MAX wins", () => {
    assert.equal(councilEnv({ MALLOC_ARENA_MAX: "4" })["MALLOC_ARENA_MAX"], "4");
    assert.equal(councilEnv({})["MALLOC_ARENA_MAX"], "1");
  });
});
