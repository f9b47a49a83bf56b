// A council's homeserver runs with a fixed 32 MiB young generation and one malloc arena (fewer
// page faults under a send burst, the same idle RSS: docs/perf/speed-3.md, "## burst"). The council
// is started as `entente start` starts it, and its process is read from /proc.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COUNCIL_NODE_FLAGS, councilEnv, councilNodeFlags, spawnCouncil, stopCouncils, type CouncilProcess } from "./council-process.ts";

describe("council process: Node flags and environment", function () {
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

  it("`entente start`'s council runs with 32 MiB semi-spaces and MALLOC_ARENA_MAX=1", async function () {
    if (process.platform !== "linux") this.skip();
    const config = join(root, "homeserver.yaml");
    writeFileSync(config, [
      "server:", "  name: flags.test", "  data_dir: data", "  signing_key_path: signing.key",
      "listeners:", "  client: { host: 127.0.0.1, port: 0 }",
      "logging:", "  level: warn", "",
    ].join("\n"));
    running = spawnCouncil("flags", config, join(root, "homeserver.log"));
    await running.ready;
    const pid = running.child.pid ?? 0;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const script = argv.findIndex((a) => a.endsWith("serve.ts"));
    assert.ok(script > 0, argv.join(" "));
    for (const flag of ["--min-semi-space-size=32", "--max-semi-space-size=32"]) {
      const at = argv.indexOf(flag);
      assert.ok(at > 0 && at < script, `${flag} given to Node, before the script: ${argv.join(" ")}`);
    }
    const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    assert.ok(env.includes("MALLOC_ARENA_MAX=1"), "one malloc arena");
  });

  it("the flags are ones this Node takes: the young generation starts at 32 MiB per semi-space", () => {
    const out = execFileSync(process.execPath, [...COUNCIL_NODE_FLAGS, "-e",
      "const s = require('node:v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); process.stdout.write(String(s.space_size))"], { encoding: "utf8" });
    assert.equal(Number(out), 32 * 1024 * 1024);
  });

  it("an operator who sizes the young generation in NODE_OPTIONS keeps their value (command-line flags would override it)", () => {
    assert.deepEqual(councilNodeFlags({ NODE_OPTIONS: "--max-old-space-size=512 --max-semi-space-size=8" }), []);
    assert.deepEqual(councilNodeFlags({ NODE_OPTIONS: "--semi-space-size=4" }), []);
    assert.deepEqual(councilNodeFlags({ NODE_OPTIONS: "--max_semi_space_size=8" }), [], "V8's underscore spelling too");
    assert.deepEqual(councilNodeFlags({ NODE_OPTIONS: "--max-old-space-size=512" }), COUNCIL_NODE_FLAGS);
    assert.deepEqual(councilNodeFlags({}), COUNCIL_NODE_FLAGS);
  });

  it("an operator's own MALLOC_ARENA_MAX wins", () => {
    assert.equal(councilEnv({ MALLOC_ARENA_MAX: "4" })["MALLOC_ARENA_MAX"], "4");
    assert.equal(councilEnv({})["MALLOC_ARENA_MAX"], "1");
  });
});
