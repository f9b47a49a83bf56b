// `entente start` serves the web client next to the councils it starts: index.html, the built
// assets and a config.json listing every council with a homeserver URL the client can sign in to.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entente, freePortBlock, spawnEntente, type RunningCli } from "../harness/entente-cli.ts";
import { readDemoAccounts } from "../../homeserver-config/src/init-federation.ts";
import { parseClientConfig } from "../../client/src/core/client-config.ts";
import { passwordSignIn } from "../../client/src/core/sign-in.ts";

describe("entente start serves the web client", function () {
  this.timeout(180_000);
  let root: string;
  let run: RunningCli | undefined;
  const savedPort = process.env["ENTENTE_WEB_PORT"];
  const savedWidgetsPort = process.env["ENTENTE_WIDGETS_PORT"];
  after(async () => {
    if (savedPort === undefined) delete process.env["ENTENTE_WEB_PORT"];
    else process.env["ENTENTE_WEB_PORT"] = savedPort;
    if (savedWidgetsPort === undefined) delete process.env["ENTENTE_WIDGETS_PORT"];
    else process.env["ENTENTE_WIDGETS_PORT"] = savedWidgetsPort;
    if (run !== undefined) {
      run.child.kill("SIGTERM");
      await run.exit;
    }
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("prints the client URL; config.json lists both councils and a demo agent signs in through it", async () => {
    root = mkdtempSync(join(tmpdir(), "entente-web-"));
    const dir = join(root, "fed");
    const base = await freePortBlock(8);
    assert.equal(entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--base-port", String(base), "--demo-users", "1"]).code, 0);
    process.env["ENTENTE_WEB_PORT"] = "0"; // inherited by the child: an ephemeral port, no clash with a running demo
    process.env["ENTENTE_WIDGETS_PORT"] = "0";
    run = spawnEntente(["start", dir]);
    const out = await run.waitFor(/Entente is running/, 120_000);
    const url = /Web client \/ client web : (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url !== undefined, `client URL printed: ${out}`);
    const index = await fetch(url);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<ent-app><\/ent-app>/);
    const config = parseClientConfig(await (await fetch(`${url}/config.json`)).json());
    assert.deepEqual(config.councils.map((c) => c.serverName).sort(), ["agglo-b.localhost", "ville-a.localhost"]);
    const a = config.councils.find((c) => c.serverName === "ville-a.localhost");
    const password = readDemoAccounts(join(dir, "ville-a", "demo-accounts.yaml")).get("agent1");
    assert.ok(a !== undefined && password !== undefined);
    const session = await passwordSignIn(a.homeserverUrl, "agent1", password, fetch);
    assert.equal(session.userId, "@agent1:ville-a.localhost");
    // The homeserver answers the client's origin (CORS), as the browser requires.
    const pre = await fetch(`${a.homeserverUrl}/_matrix/client/v3/login`, { method: "OPTIONS", headers: { Origin: url, "Access-Control-Request-Method": "POST" } });
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");

    // The widgets, on an origin of their own, announced in the client's config.json with the demo allow-list.
    const widgets = ((await (await fetch(`${url}/config.json`)).json()) as { widgets: { base_url: string; jitsi_domains: string[] } }).widgets;
    assert.deepEqual(widgets.jitsi_domains, ["meet.jit.si"]);
    assert.notEqual(new URL(widgets.base_url).origin, new URL(url).origin, "widgets are not on the client's origin");
    const wrapper = await (await fetch(`${widgets.base_url}jitsi/`)).text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(wrapper)?.[1];
    assert.ok(script !== undefined, `wrapper page with its bundle: ${wrapper}`);
    assert.equal((await fetch(`${widgets.base_url}jitsi/${script}`)).status, 200);
    assert.deepEqual(await (await fetch(`${widgets.base_url}jitsi/config.json`)).json(), { widgets: { jitsi_domains: ["meet.jit.si"] } });
    assert.equal((await fetch(`${widgets.base_url}jitsi/..%2f..%2fpackage.json`)).status, 404, "no way out of dist");
  });
});
