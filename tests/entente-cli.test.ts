// The `entente` command end to end, as a separate process: help and argument errors, `init` (and
// re-running it), config errors, `start` with two councils, the admin commands, SIGTERM.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT, entente, freePortBlock, isListening, spawnEntente } from "./harness/entente-cli.ts";
import { waitFor } from "./harness/homeserver.ts";

const KEPT = [
  "ca/ca.crt", "ca/ca.key", "ville-a/signing.key", "ville-a/tls/federation.crt", "ville-a/tls/federation.key",
  "ville-a/registration-secret.txt", "ville-a/admin-password.txt", "ville-a/demo-accounts.yaml",
  "ville-a/appservices/tasks.yaml", "agglo-b/signing.key", "agglo-b/tls/federation.key",
];

const oneLine = (s: string): void => assert.equal(s.trimEnd().split("\n").length, 1, `one line expected: ${s}`);

describe("entente CLI", function () {
  this.timeout(120_000);
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "entente-cli-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("runs as `entente` from node_modules/.bin (npx entente)", () => {
    const bin = join(REPO_ROOT, "node_modules", ".bin", "entente");
    assert.ok(existsSync(bin), "npm install links the bin");
    // The shebang finds `node` on PATH, as under npm/npx where node_modules/.bin (Node 24) comes first.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` };
    const r = spawnSync(bin, ["--help"], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: entente COMMAND/);
  });

  it("has --help on every subcommand, and bad arguments exit 2 with one line", () => {
    for (const cmd of [[], ["init"], ["start"], ["demo"], ["serve"], ["user", "add"], ["user", "list"], ["user", "reset-password"],
      ["user", "deactivate"], ["room", "list"], ["federation", "status"]]) {
      const r = entente([...cmd, "--help"]);
      assert.equal(r.code, 0, cmd.join(" "));
      assert.match(r.stdout, /Usage: entente/);
    }
    for (const args of [["bogus"], ["init", root], ["init", root, "--council", "Bad_Name"], ["start"], ["user", "add", "--nope"]]) {
      const r = entente(args);
      assert.equal(r.code, 2, args.join(" "));
      oneLine(r.stderr);
    }
  });

  it("init writes a federation, and re-running it keeps every key, certificate and secret", () => {
    const dir = join(root, "fed");
    const first = entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--demo-users", "2", "--base-port", "30000"]);
    assert.equal(first.code, 0, first.stderr);
    for (const f of [...KEPT, "federation.yaml", "ville-a/homeserver.yaml", "agglo-b/appservices/calendar.yaml"]) assert.ok(existsSync(join(dir, f)), f);
    for (const f of ["ca/ca.key", "ville-a/signing.key", "ville-a/tls/federation.key", "ville-a/registration-secret.txt", "ville-a/admin-password.txt"]) {
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    }
    const cert = spawnSync("openssl", ["x509", "-in", join(dir, "ville-a/tls/federation.crt"), "-noout", "-ext", "subjectAltName"], { encoding: "utf8" });
    assert.match(cert.stdout, /DNS:ville-a\.localhost/);
    assert.match(cert.stdout, /IP Address:127\.0\.0\.1/);
    const verify = spawnSync("openssl", ["verify", "-CAfile", join(dir, "ca/ca.crt"), join(dir, "agglo-b/tls/federation.crt")], { encoding: "utf8" });
    assert.equal(verify.status, 0, verify.stderr);
    const before = new Map(KEPT.map((f) => [f, readFileSync(join(dir, f))]));

    const again = entente(["init", dir, "--council", "ville-a", "--council", "dept-c"]);
    assert.equal(again.code, 0, again.stderr);
    for (const [f, bytes] of before) assert.deepEqual(readFileSync(join(dir, f)), bytes, `${f} was rewritten`);
    assert.ok(existsSync(join(dir, "dept-c/signing.key")));
    const villeA = readFileSync(join(dir, "ville-a/homeserver.yaml"), "utf8");
    assert.match(villeA, /- dept-c\.localhost/);
    // 30008-30009 are the first two councils' share services (share_port); dept-c's is 30010.
    assert.match(villeA, /dept-c\.localhost: "?127\.0\.0\.1:30013/);
    assert.match(readFileSync(join(dir, "federation.yaml"), "utf8"), /name: dept-c\n {4}client_port: 30012\n(?: {4}\w+: \d+\n){3} {4}share_port: 30010/);
  });

  it("init without openssl names the Debian package and writes nothing", () => {
    const dir = join(root, "fed");
    const r = entente(["init", dir, "--council", "ville-a"], { env: { ...process.env, PATH: join(root, "no-bin") } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /openssl command is not installed.*Debian package `openssl`/);
    assert.equal(existsSync(dir), false);
  });

  it("reports duplicate councils and config errors precisely, with a non-zero exit", () => {
    const dir = join(root, "fed");
    assert.equal(entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--base-port", "30100"]).code, 0);
    const dup = entente(["init", dir, "--council", "x", "--council", "x"]);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /council "x" is given twice/);

    const fedFile = join(dir, "federation.yaml");
    const original = readFileSync(fedFile, "utf8");
    writeFileSync(fedFile, original.replace("name: agglo-b", "name: ville-a"));
    const dupFile = entente(["start", dir]);
    assert.equal(dupFile.code, 1);
    assert.match(dupFile.stderr, /federation\.yaml: councils: council "ville-a" is listed twice/);
    writeFileSync(fedFile, original);

    const config = join(dir, "ville-a/homeserver.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("listeners:", "federaton:\n  enabled: true\nlisteners:").replace(/port: 30100/, "port: lots"));
    const bad = entente(["start", dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /homeserver\.yaml: federaton: unknown key \(did you mean "federation"\?\)/);
    assert.match(bad.stderr, /homeserver\.yaml: listeners\.client\.port: expected an integer/);
    const list = entente(["user", "list", "--config", config]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /federaton: unknown key/);

    const missing = entente(["user", "list", "--config", join(root, "nope.yaml")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read config file .*nope\.yaml: ENOENT/);
    const noFed = entente(["start", join(root, "empty")]);
    assert.equal(noFed.code, 1);
    assert.match(noFed.stderr, /federation\.yaml: ENOENT \(create it with `entente init/);
  });

  it("start runs two councils; admin commands work; SIGTERM stops everything", async () => {
    const dir = join(root, "fed");
    const base = await freePortBlock(8);
    assert.equal(entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--demo-users", "1", "--base-port", String(base)]).code, 0);
    const run = spawnEntente(["start", dir]);
    try {
      const out = await run.waitFor(/Entente is running/);
      // the councils' URLs; the web client and widget lines (tests/browser/entente-start-web.test.ts) are not councils
      const councilLines = out.split("\n").filter((l) => !/^(Web client|Widgets|Partage citoyen)\b/.test(l));
      const urls = [...councilLines.join("\n").matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(urls, [base, base + 4]);
      for (const port of urls) {
        const res = await fetch(`http://127.0.0.1:${port}/_matrix/client/versions`);
        assert.equal(res.status, 200);
        assert.ok(Array.isArray(((await res.json()) as { versions: unknown }).versions));
      }
      const password = /@agent1:ville-a\.localhost\s+(\S+)/.exec(out)?.[1] ?? "";
      const login = await fetch(`http://127.0.0.1:${base}/_matrix/client/v3/login`, {
        method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password }),
      });
      assert.equal(login.status, 200, "the printed demo password works");
      const adminPassword = readFileSync(join(dir, "agglo-b/admin-password.txt"), "utf8").trim();
      const adminLogin = await fetch(`http://127.0.0.1:${base + 4}/_matrix/client/v3/login`, {
        method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "admin" }, password: adminPassword }),
      });
      assert.equal(adminLogin.status, 200, "the admin account was created with the password of admin-password.txt");

      const config = join(dir, "ville-a/homeserver.yaml");
      const add = entente(["user", "add", "--config", config, "marie", "--password-file", "-", "--displayname", "Marie Curie"], { input: "radium-1898\n" });
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, /created @marie:ville-a\.localhost/);
      const twice = entente(["user", "add", "--config", config, "marie"]);
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /@marie:ville-a\.localhost already exists/);
      const list = entente(["user", "list", "--config", config]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /@marie:ville-a\.localhost\s+active\s+Marie Curie/);
      assert.match(list.stdout, /@admin:ville-a\.localhost\s+yes/);
      const marie = await fetch(`http://127.0.0.1:${base}/_matrix/client/v3/login`, {
        method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "marie" }, password: "radium-1898" }),
      });
      assert.equal(marie.status, 200, "a CLI-made account logs in on the running server");

      const reset = entente(["user", "reset-password", "--config", config, "@marie:ville-a.localhost"]);
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /password: \S+/);
      const off = entente(["user", "deactivate", "--config", config, "marie"]);
      assert.equal(off.code, 0, off.stderr);
      assert.match(entente(["user", "list", "--config", config]).stdout, /@marie:ville-a\.localhost\s+deactivated/);
      const rooms = entente(["room", "list", "--config", config]);
      assert.equal(rooms.code, 0, rooms.stderr);
      assert.match(rooms.stdout, /^0 rooms$/m);
      const status = entente(["federation", "status", "--config", config]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^\d+ destinations?$|no federation queue yet/m);

      const pids = [...out.matchAll(/^(?:ville-a|agglo-b)\s.*\s(\d+)$/gm)].map((m) => Number(m[1]));
      assert.equal(pids.length, 2, "the table shows each council's pid");
      run.child.kill("SIGTERM");
      const exit = await run.exit;
      assert.equal(exit.code, 0, run.errors());
      assert.doesNotMatch(run.errors(), /did not stop/, "every bot stopped on its own, none killed at the grace");
      for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `council process ${pid} still running`);
      for (const port of [base, base + 1, base + 4, base + 5]) assert.equal(await isListening(port), false, `port ${port}`);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("a council that dies stops the others, exit 1 with its last lines", async () => {
    const dir = join(root, "fed");
    const base = await freePortBlock(8);
    assert.equal(entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--base-port", String(base)]).code, 0);
    const run = spawnEntente(["start", dir]);
    try {
      const out = await run.waitFor(/Entente is running/);
      const pids = [...out.matchAll(/^(?:ville-a|agglo-b)\s.*\s(\d+)$/gm)].map((m) => Number(m[1]));
      process.kill(pids[0]!, "SIGKILL");
      const exit = await run.exit;
      assert.equal(exit.code, 1);
      assert.match(run.errors(), /council ville-a stopped \(SIGKILL\); stopping the others/);
      assert.match(run.errors(), /ville-a\| ready http/);
      assert.throws(() => process.kill(pids[1]!, 0), /ESRCH/);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("a killed `entente start` (SIGKILL, no chance to stop them) takes its councils and bots with it", async () => {
    const dir = join(root, "fed");
    const base = await freePortBlock(8);
    assert.equal(entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--base-port", String(base)]).code, 0);
    const run = spawnEntente(["start", dir]);
    let children: number[] = [];
    try {
      await run.waitFor(/Entente is running/);
      children = childPids(run.child.pid ?? 0);
      assert.ok(children.length >= 2, `the councils (and bots) are children of entente: ${children.join(", ")}`);
      run.child.kill("SIGKILL");
      await run.exit;
      await waitFor("every council and bot stopped", async () => (children.every((pid) => !alive(pid)) ? true : undefined), 30_000);
      for (const port of [base, base + 1, base + 4, base + 5]) assert.equal(await isListening(port), false, `port ${port}`);
    } finally {
      for (const pid of children) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("serve runs one homeserver and stops on SIGTERM", async () => {
    const dir = join(root, "fed");
    const base = await freePortBlock(4);
    assert.equal(entente(["init", dir, "--council", "solo", "--base-port", String(base)]).code, 0);
    const run = spawnEntente(["serve", "--config", join(dir, "solo/homeserver.yaml")]);
    try {
      await run.waitFor(/ready http:\/\/127\.0\.0\.1:\d+/);
      assert.equal((await fetch(`http://127.0.0.1:${base}/_matrix/client/versions`)).status, 200);
      run.child.kill("SIGTERM");
      assert.equal((await run.exit).code, 0);
      assert.equal(await isListening(base), false);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});

/** The pids whose parent is `parent` (Linux /proc). */
function childPids(parent: number): number[] {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${d}/stat`, "utf8"))?.[1]) === parent;
    } catch {
      return false;
    }
  }).map(Number);
}

/** Running (an exited process not yet reaped by its new parent, a zombie, is not). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
