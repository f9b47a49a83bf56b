// The client's and the widgets' static servers: a malformed escape or a `..` in the path is a 400
// (a malformed escape used to throw inside the request handler and crash the process), files are
// served with their type, hashed assets cached for good, config.json generated.
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveClient } from "../../client/scripts/serve-client.ts";
import { serveWidgets } from "../../widgets/scripts/serve-widgets.ts";

describe("static servers of the client and the widgets", function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "entente-static-"));
    mkdirSync(join(dir, "client", "assets"), { recursive: true });
    writeFileSync(join(dir, "client", "index.html"), "<!doctype html><title>client</title>");
    writeFileSync(join(dir, "client", "assets", "app-1234.js"), "export {};");
    mkdirSync(join(dir, "jitsi"), { recursive: true });
    writeFileSync(join(dir, "jitsi", "index.html"), "<!doctype html><title>jitsi</title>");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the client server answers 400 to bad paths and keeps serving", async () => {
    const served = await serveClient({ distDir: join(dir, "client"), councils: [{ id: "a", label: "Ville A", serverName: "a.test", homeserverUrl: "http://127.0.0.1:1" }], host: "127.0.0.1", port: 0 });
    try {
      assert.equal((await fetch(`${served.url}/%E0%A4%A`)).status, 400);
      // The URL parser resolves encoded dots first: nothing outside dist is reachable.
      assert.equal((await fetch(`${served.url}/%2e%2e/%2e%2e/etc/passwd`)).status, 404);
      const index = await fetch(`${served.url}/`);
      assert.equal(index.status, 200);
      assert.match(index.headers.get("content-type") ?? "", /text\/html/);
      assert.equal(index.headers.get("cache-control"), "no-cache");
      const asset = await fetch(`${served.url}/assets/app-1234.js`);
      assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
      const config = await (await fetch(`${served.url}/config.json`)).json() as { councils: { server_name: string }[] };
      assert.equal(config.councils[0]?.server_name, "a.test");
      assert.equal((await fetch(`${served.url}/missing.js`)).status, 404);
    } finally {
      await served.close();
    }
  });

  it("the widgets server answers 400 to bad paths, redirects /app to /app/ and serves the allow-list", async () => {
    const served = await serveWidgets({ apps: [{ name: "jitsi", dir: join(dir, "jitsi"), distDir: join(dir, "jitsi") }], host: "127.0.0.1", port: 0, jitsiDomains: ["meet.ville-a.fr"] });
    try {
      assert.equal((await fetch(`${served.url}/jitsi/%E0%A4%A`)).status, 400);
      const redirect = await fetch(`${served.url}/jitsi`, { redirect: "manual" });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get("location"), "/jitsi/");
      assert.equal((await fetch(`${served.url}/jitsi/`)).status, 200);
      assert.deepEqual(await (await fetch(`${served.url}/jitsi/config.json`)).json(), { widgets: { jitsi_domains: ["meet.ville-a.fr"] } });
      assert.equal((await fetch(`${served.url}/other/`)).status, 404);
    } finally {
      await served.close();
    }
  });
});
