// `entente init` writes each council's share.yaml (a port of its own, recorded in federation.yaml);
// `entente start` runs each council's citizen sharing service, lists it in the start table, logs to
// <council>/share.log (route shapes, never a share id) and stops it with the councils; a wrong
// share.yaml stops `entente start` with every problem listed.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { entente, freePortBlock, isListening, spawnEntente, stopEntente, type RunningCli } from "./harness/entente-cli.ts";
import { createShare, encryptForShare, listShares, sharePassword } from "../appservices/share/src/share-client.ts";

type Json = Record<string, unknown>;

describe("entente start runs each council's share service", function () {
  this.timeout(180_000);
  let root: string;
  let dir: string;
  let base: number;
  let run: RunningCli | undefined;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "entente-start-share-"));
    dir = join(root, "fed");
    base = await freePortBlock(6);
    const init = entente(["init", dir, "--council", "ville-a", "--demo-users", "1", "--base-port", String(base)], { env: { ...process.env, ENTENTE_WEB: "off" } });
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    await stopEntente(run);
    rmSync(root, { recursive: true, force: true });
  });

  it("init gives the share service the port after the council's block, in federation.yaml and share.yaml", () => {
    const fed = parse(readFileSync(join(dir, "federation.yaml"), "utf8")) as { councils: Json[] };
    assert.equal(fed.councils[0]?.["share_port"], base + 4);
    const share = parse(readFileSync(join(dir, "ville-a/share.yaml"), "utf8")) as Json;
    assert.deepEqual(share["listener"], { host: "127.0.0.1", port: base + 4 });
    assert.equal(share["public_url"], `http://127.0.0.1:${base + 4}`);
  });

  it("start lists it, an agent shares through it, its log holds no share id; stopping entente stops it", async () => {
    // The web client on an ephemeral port: its config.json names the share service.
    run = spawnEntente(["start", dir], undefined, { ...process.env, ENTENTE_WEB_PORT: "0" });
    const out = await run.waitFor(/Entente is running/, 240_000);
    const shareUrl = `http://127.0.0.1:${base + 4}`;
    assert.match(out, new RegExp(`Partage citoyen / citizen sharing ville-a: ${shareUrl} \\(journal / log: .*share\\.log\\)`));
    const web = /Web client \/ client web : (\S+)/.exec(out)?.[1] ?? "";
    const config = (await (await fetch(`${web}/config.json`)).json()) as { share?: unknown };
    assert.deepEqual(config.share, { services: { "ville-a.localhost": shareUrl } });

    const password = (parse(readFileSync(join(dir, "ville-a/demo-accounts.yaml"), "utf8")) as Record<string, string>)["agent1"] ?? "";
    const login = await fetch(`http://127.0.0.1:${base}/_matrix/client/v3/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password }) });
    const agent = { serviceUrl: shareUrl, accessToken: String(((await login.json()) as Json)["access_token"]) };
    const secret = sharePassword();
    const share = await createShare(agent, { name: "note.txt", ciphertext: await encryptForShare(new Blob(["bonjour"]).stream(), secret, "note.txt"), tag: "t1" });
    assert.ok(share.url.startsWith(`${shareUrl}/s/`));
    assert.deepEqual((await listShares(agent, "t1")).map((s) => s.id), [share.id]);
    assert.equal((await listShares(agent, "other")).length, 0);
    // The web client's origin may call the API (CORS preflight).
    const pre = await fetch(`${shareUrl}/api/shares`, { method: "OPTIONS", headers: { Origin: "http://127.0.0.1:1", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.equal((await fetch(share.url)).status, 200);

    assert.equal(await stopEntente(run), 0);
    run = undefined;
    assert.equal(await isListening(base + 4), false, "the share service stopped with entente");
    const log = readFileSync(join(dir, "ville-a/share.log"), "utf8");
    assert.match(log, /POST \/api\/shares 201/);
    assert.match(log, /GET \/s\/\{id\} 200/);
    assert.ok(!log.includes(share.id), "the log never holds a link's secret id");
  });

  it("a wrong share.yaml stops entente start with every problem listed", () => {
    const path = join(dir, "ville-a/share.yaml");
    const good = readFileSync(path, "utf8");
    try {
      writeFileSync(path, `listener:\n  port: "huit"\npublic_ur: http://x\nmax_downloads: 0\n`);
      const r = entente(["start", dir], { env: { ...process.env, ENTENTE_WEB: "off" } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /share\.yaml: max_downloads: .*1-10000/);
      assert.match(r.stderr, /share\.yaml: public_ur: unknown key \(did you mean "public_url"\?\)/);
      assert.match(r.stderr, /share\.yaml: listener\.port: .*1-65535/);
    } finally {
      writeFileSync(path, good);
    }
  });

  it("init gives a council made before the share service a port and a share.yaml", () => {
    const fedPath = join(dir, "federation.yaml");
    writeFileSync(fedPath, readFileSync(fedPath, "utf8").replace(/\n\s*share_port: \d+/, ""));
    rmSync(join(dir, "ville-a/share.yaml"));
    const again = entente(["init", dir, "--council", "ville-a"]);
    assert.equal(again.code, 0, again.stderr);
    const fed = parse(readFileSync(fedPath, "utf8")) as { councils: Json[] };
    assert.equal(fed.councils[0]?.["share_port"], base + 4);
    assert.match(readFileSync(join(dir, "ville-a/share.yaml"), "utf8"), new RegExp(`port: ${base + 4}`));
  });
});
