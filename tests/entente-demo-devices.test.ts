// Accounts made by provisioning (`entente start`'s admin and demo accounts, through the shared-secret
// registration) have no device until their owner logs in: before, each had a stray session whose
// device Element listed as "unverified" forever.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entente, freePortBlock, spawnEntente } from "./harness/entente-cli.ts";
import { startTestHomeserver, type TestHomeserver } from "./harness/homeserver.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json", ...(token !== undefined && { Authorization: `Bearer ${token}` }) }, body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** Logs in and returns the ids of the account's devices (the new session's included) and that session's device. */
async function devicesAfterLogin(base: string, user: string, password: string): Promise<{ devices: string[]; mine: string }> {
  const login = await post(`${base}${C}/login`, { type: "m.login.password", identifier: { type: "m.id.user", user }, password });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const res = await fetch(`${base}${C}/devices`, { headers: { Authorization: `Bearer ${String(login.body["access_token"])}` } });
  const devices = ((await res.json()) as { devices: { device_id: string }[] }).devices.map((d) => d.device_id);
  return { devices, mine: String(login.body["device_id"]) };
}

describe("provisioned accounts have no stray device", function () {
  this.timeout(180_000);

  describe("shared-secret registration with inhibit_login", () => {
    let server: TestHomeserver;
    before(async () => {
      server = await startTestHomeserver();
    });
    after(async () => server?.stop());

    async function register(username: string, extra: Json): Promise<{ status: number; body: Json }> {
      const nonce = String(((await (await fetch(`${server.url}/_synapse/admin/v1/register`)).json()) as Json)["nonce"]);
      const password = "a long enough password";
      const mac = createHmac("sha1", "test-shared-secret").update(`${nonce}\0${username}\0${password}\0notadmin`).digest("hex");
      return post(`${server.url}/_synapse/admin/v1/register`, { nonce, username, password, admin: false, mac, ...extra });
    }

    it("creates the account without a session or device; without it, a session as before", async () => {
      const quiet = await register("quiet", { inhibit_login: true });
      assert.equal(quiet.status, 200, JSON.stringify(quiet.body));
      assert.deepEqual(quiet.body, { user_id: "@quiet:test.local", home_server: "test.local" });
      const q = await devicesAfterLogin(server.url, "quiet", "a long enough password");
      assert.deepEqual(q.devices, [q.mine]);

      const usual = await register("usual", {});
      assert.equal(typeof usual.body["access_token"], "string");
      const u = await devicesAfterLogin(server.url, "usual", "a long enough password");
      assert.equal(u.devices.length, 2, "the registration session's device and the login's");
    });
  });

  it("entente start: the admin and demo accounts' only device is the one their owner logs in with", async () => {
    const root = mkdtempSync(join(tmpdir(), "entente-demo-devices-"));
    const dir = join(root, "fed");
    const base = await freePortBlock(4);
    try {
      const init = entente(["init", dir, "--council", "ville-a", "--demo-users", "2", "--base-port", String(base)]);
      assert.equal(init.code, 0, init.stderr);
      const run = spawnEntente(["start", dir]);
      try {
        const out = await run.waitFor(/Entente is running/);
        const url = `http://127.0.0.1:${base}`;
        for (const agent of ["agent1", "agent2"]) {
          const password = new RegExp(`@${agent}:ville-a\\.localhost\\s+(\\S+)`).exec(out)?.[1] ?? "";
          const d = await devicesAfterLogin(url, agent, password);
          assert.deepEqual(d.devices, [d.mine], `${agent}'s devices`);
        }
        const admin = await devicesAfterLogin(url, "admin", readFileSync(join(dir, "ville-a/admin-password.txt"), "utf8").trim());
        assert.deepEqual(admin.devices, [admin.mine], "admin's devices");
        run.child.kill("SIGTERM");
        assert.equal((await run.exit).code, 0, run.errors());
      } finally {
        run.child.kill("SIGKILL");
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
