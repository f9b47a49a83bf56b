// `entente user add` and `entente user reset-password` apply the server's password policy
// (passwords.minimum_length), with a CLI error (exit 1) naming the config key.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addUser, resetPassword } from "../homeserver-config/src/admin-users.ts";
import { CliError } from "../homeserver-config/src/cli-kit.ts";
import type { CouncilDatabase } from "../homeserver-config/src/council-database.ts";
import { openDatabase } from "../homeserver/src/storage/open-database.ts";
import { StreamStore } from "../homeserver/src/storage/stream-store.ts";
import { UserStore } from "../homeserver/src/storage/user-store.ts";
import { verifyPassword } from "../homeserver/src/server/users/password-hash.ts";
import { testConfig } from "./harness/test-config.ts";

describe("entente user add/reset-password: password policy", () => {
  let dir: string;
  let c: CouncilDatabase;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-policy-"));
    const config = testConfig(dir);
    const db = await openDatabase(config.database);
    c = { config, db, users: new UserStore({ db }), streams: new StreamStore({ db }) };
  });
  after(async () => {
    await c?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const weak = (e: unknown): boolean => e instanceof CliError && /at least 10 characters.*passwords\.minimum_length/.test(e.message);

  it("refuses a short password for a new account and creates nothing", async () => {
    await assert.rejects(addUser(c, { userId: "@marie:test.local", password: "radium", admin: false, displayname: undefined, now: 1 }), weak);
    assert.equal(await c.users.getUser("@marie:test.local"), undefined);
  });

  it("refuses a short password on reset and keeps the old one", async () => {
    await addUser(c, { userId: "@pierre:test.local", password: "polonium-1898", admin: false, displayname: undefined, now: 1 });
    await assert.rejects(resetPassword(c, "@pierre:test.local", "short", false), weak);
    const hash = (await c.users.getUser("@pierre:test.local"))?.passwordHash ?? "";
    assert.equal(await verifyPassword("polonium-1898", hash), true);
  });
});
