// `serve.ts --role/--port` (what `entente serve --role ...` runs): refused combinations end with
// one clear line per problem and exit code 1 (config) or 2 (command line), before anything starts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeYamlConfig } from "../harness/child-homeserver.ts";

const SERVE = fileURLToPath(new URL("../../homeserver/src/bin/serve.ts", import.meta.url));
const serve = (...args: string[]) => spawnSync(process.execPath, [SERVE, ...args], { encoding: "utf8", timeout: 30_000 });

describe("serve --role", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "entente-role-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("documents --role and --port in --help", () => {
    const r = serve("--help");
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--role ROLE/);
    assert.match(r.stdout, /--port N/);
  });

  it("refuses a client reader without PostgreSQL or main's URL, and unknown roles or ports", () => {
    const config = writeYamlConfig(dir, "role.local", 0, "federation:\n  enabled: false\n");
    const reader = serve("--config", config, "--role", "client-reader");
    assert.equal(reader.status, 1);
    assert.deepEqual(reader.stderr.trim().split("\n"), [
      `${config}: workers.role: client-reader needs database.type postgres`,
      `${config}: workers.main_url: required for a client reader`,
    ]);
    const mainDir = join(dir, "main");
    mkdirSync(mainDir);
    const mainConfig = writeYamlConfig(mainDir, "role.local", 0, "federation:\n  enabled: false\nworkers:\n  enabled: true\n");
    const main = serve("--config", mainConfig);
    assert.equal(main.status, 1);
    assert.equal(main.stderr.trim(), `${mainConfig}: workers.enabled: needs database.type postgres`);
    const bad = serve("--config", config, "--role", "writer", "--port", "99999");
    assert.equal(bad.status, 2);
    assert.deepEqual(bad.stderr.trim().split("\n"), [
      'error: --role must be main or client-reader, not "writer"',
      'error: --port must be an integer 0-65535, not "99999"',
    ]);
  });
});
