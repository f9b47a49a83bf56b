// `entente start` prints the demo accounts' initial passwords only while they are still true: once
// a password was changed or the account deactivated, the table says so instead (issue 9, finding 14).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entente, freePortBlock, spawnEntente, type RunningCli } from "./harness/entente-cli.ts";

const C = "/_matrix/client/v3";

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json", ...(token !== undefined && { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The password column of an account's line in the start table. */
function shown(out: string, user: string): string {
  const line = out.split("\n").find((l) => l.includes(`@${user}:ville-a.localhost`));
  assert.ok(line, `no line for ${user} in:\n${out}`);
  return line.split(/\s{2,}/)[2] ?? "";
}

async function stop(run: RunningCli): Promise<void> {
  run.child.kill("SIGTERM");
  assert.equal((await run.exit).code, 0, run.errors());
}

describe("entente start: the accounts table", function () {
  this.timeout(180_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "entente-start-accounts-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("shows an initial password only while it works: changed and deactivated accounts say so", async () => {
    const dir = join(root, "fed");
    const base = await freePortBlock(4);
    assert.equal(entente(["init", dir, "--council", "ville-a", "--demo-users", "3", "--base-port", String(base)]).code, 0);
    const url = `http://127.0.0.1:${base}`;
    let first = spawnEntente(["start", dir]);
    let initial: Record<string, string>;
    try {
      const out = await first.waitFor(/Entente is running/);
      initial = { agent1: shown(out, "agent1"), agent2: shown(out, "agent2"), agent3: shown(out, "agent3"), admin: shown(out, "admin") };
      assert.match(initial["admin"] ?? "", /^\(in .*admin-password\.txt\)$/);

      // agent1 changes their password (POST /account/password with the initial one).
      const login = await post(`${url}${C}/login`, { type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password: initial["agent1"] });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const token = String(login.body["access_token"]);
      const changed = await post(`${url}${C}/account/password`, {
        new_password: "a password only agent1 knows",
        auth: { type: "m.login.password", identifier: { type: "m.id.user", user: "agent1" }, password: initial["agent1"] },
      }, token);
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      // agent2 is deactivated by the administrator.
      const off = entente(["user", "deactivate", "--config", join(dir, "ville-a/homeserver.yaml"), "agent2"]);
      assert.equal(off.code, 0, off.stderr);
      await stop(first);

      first = spawnEntente(["start", dir]);
      const again = await first.waitFor(/Entente is running/);
      assert.equal(shown(again, "agent1"), "(changed since / modifié depuis)");
      assert.equal(shown(again, "agent2"), "(deactivated / désactivé)");
      assert.equal(shown(again, "agent3"), initial["agent3"], "an untouched account still shows its password");
      assert.equal(shown(again, "admin"), initial["admin"]);
      for (const stale of [initial["agent1"], initial["agent2"]]) assert.ok(!again.includes(stale ?? "?"), "no stale password is printed");
      await stop(first);
    } finally {
      first.child.kill("SIGKILL");
    }
  });
});
