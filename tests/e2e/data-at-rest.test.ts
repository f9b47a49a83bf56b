// Data at rest is for the server's account only (issue 9, finding 6: the database, its WAL, media
// and homeserver.log were 0644 in 0755 folders). The server runs as in production: a child process
// started the way `entente start` starts it (log file included).
import assert from "node:assert/strict";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnCouncil, stopCouncils, type CouncilProcess } from "../../homeserver-config/src/council-process.ts";
import { entente } from "../harness/entente-cli.ts";
import { registerUser, startTestHomeserver, waitFor } from "../harness/homeserver.ts";

const mode = (p: string): number => statSync(p).mode & 0o7777;

/** Every path below `root` (root included), symlinks not followed. */
function walk(root: string): string[] {
  const out = [root];
  if (!lstatSync(root).isDirectory()) return out;
  for (const name of readdirSync(root)) out.push(...walk(join(root, name)));
  return out;
}

const openToOthers = (root: string): string[] =>
  walk(root).filter((p) => !lstatSync(p).isSymbolicLink() && (mode(p) & 0o077) !== 0).map((p) => `${p} ${mode(p).toString(8)}`);

describe("data at rest: private files and directories", function () {
  this.timeout(120_000);
  let root: string;
  let data: string;
  let config: string;
  let logPath: string;
  let running: CouncilProcess | undefined;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "entente-rest-"));
    data = join(root, "data");
    config = join(root, "homeserver.yaml");
    logPath = join(root, "homeserver.log");
    writeFileSync(config, [
      "server:", "  name: rest.test", "  data_dir: data", "  signing_key_path: signing.key",
      "listeners:", "  client: { host: 127.0.0.1, port: 0 }",
      "registration:", "  enabled: true",
      "rate_limits:", "  register: { per_second: 0, burst: 1 }",
      "logging:", "  level: warn", "",
    ].join("\n"));
  });
  afterEach(async () => {
    if (running) await stopCouncils([running]);
    running = undefined;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function startAndUpload(): Promise<string> {
    running = spawnCouncil("rest", config, logPath);
    const url = await running.ready;
    const user = await registerUser(url, `u${Date.now()}`);
    const res = await fetch(`${url}/_matrix/media/v3/upload?filename=a.txt`, {
      method: "POST", headers: { Authorization: `Bearer ${user.accessToken}`, "Content-Type": "text/plain" }, body: "secret minutes",
    });
    assert.equal(res.status, 200, await res.clone().text());
    return url;
  }

  const mediaFiles = (): string[] => walk(join(data, "media", "local")).filter((p) => statSync(p).isFile());

  it("a new install: data dir 0700, database, WAL, media, signing key and log 0600", async () => {
    await startAndUpload();
    assert.equal(mode(data), 0o700, "data_dir");
    for (const f of ["homeserver.db", "homeserver.db-wal", "homeserver.db-shm"]) assert.equal(mode(join(data, f)), 0o600, f);
    assert.equal(mode(join(data, "media")), 0o700, "media dir");
    const media = mediaFiles();
    assert.equal(media.length, 1);
    assert.equal(mode(media[0] ?? ""), 0o600, "media file");
    assert.equal(mode(join(root, "signing.key")), 0o600, "signing key");
    assert.equal(mode(logPath), 0o600, "homeserver.log");
    assert.deepEqual(openToOthers(data), [], "nothing under data_dir is open to others");
  });

  it("an older install left readable (0644 files, 0755 folders) is fixed at start, with one log line", async () => {
    assert.ok(existsSync(join(data, "homeserver.db-wal")) || existsSync(join(data, "homeserver.db")));
    for (const p of walk(data)) chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
    chmodSync(join(root, "signing.key"), 0o644);
    chmodSync(logPath, 0o644);
    const before = readFileSync(logPath, "utf8").length;

    await startAndUpload();
    assert.deepEqual(openToOthers(data), []);
    assert.equal(mode(data), 0o700);
    assert.equal(mode(join(data, "homeserver.db")), 0o600);
    for (const f of mediaFiles()) assert.equal(mode(f), 0o600, f);
    assert.equal(mode(join(root, "signing.key")), 0o600);
    assert.equal(mode(logPath), 0o600);

    const log = readFileSync(logPath, "utf8").slice(before);
    assert.match(log, /entente start: rest \(permissions fixed: .*homeserver\.log 0644→0600\)/);
    const lines = await waitFor("the homeserver's fix line", () => {
      const found = readFileSync(logPath, "utf8").slice(before).split("\n").filter((l) => l.includes("permissions fixed\""));
      return found.length > 0 ? found : undefined;
    });
    assert.equal(lines.length, 1, "one line");
    const line = JSON.parse(lines[0] ?? "{}") as { paths: string[]; fixed: number };
    const joined = line.paths.join("\n");
    for (const expected of [/data 0755→0700/, /homeserver\.db 0644→0600/, /media 0755→0700/, /signing\.key 0644→0600/]) {
      assert.match(joined, expected);
    }
    assert.ok(line.fixed >= 6, `fixed ${line.fixed}`);
  });

  it("a second start on a private install fixes nothing and logs no fix line", async () => {
    const before = readFileSync(logPath, "utf8").length;
    await startAndUpload();
    await stopCouncils([running as CouncilProcess]);
    running = undefined;
    const log = readFileSync(logPath, "utf8").slice(before);
    assert.doesNotMatch(log, /permissions fixed/);
  });

  it("without the bin's umask (an embedding process), the database and its WAL are still created 0600", async () => {
    const previous = process.umask(0o022);
    try {
      const hs = await startTestHomeserver();
      try {
        await registerUser(hs.url, "walwriter");
        for (const f of ["homeserver.db", "homeserver.db-wal"]) assert.equal(mode(join(hs.dir, f)), 0o600, f);
        assert.equal(mode(join(hs.dir, "media")), 0o700);
      } finally {
        await hs.stop();
      }
    } finally {
      process.umask(previous);
    }
  });

  it("entente init writes keys, secrets, certificates and configs for its own account only", () => {
    const dir = join(root, "fed");
    const r = entente(["init", dir, "--council", "ville-a", "--demo-users", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(openToOthers(dir), []);
    assert.equal(mode(join(dir, "ville-a", "homeserver.yaml")), 0o600);
  });
});
