// One main homeserver per PostgreSQL database (homeserver/src/storage/pg-main-lock.ts): the room
// writer takes stream positions in blocks, so a second main writing the same database would commit
// positions out of order and readers could skip events. A second main is refused with a message
// saying why; once the first stops, it starts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";
import { testConfig } from "../harness/test-config.ts";
import { registerUser } from "../harness/homeserver.ts";

describe("one main process per PostgreSQL database", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const running: RunningHomeserver[] = [];
  let drop: (() => Promise<void>) | undefined;
  after(async () => {
    for (const hs of running) await hs.stop().catch(() => undefined);
    await drop?.();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("refuses a second main on the same database, then starts it once the first stopped", async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    const config = () => {
      const dir = mkdtempSync(join(tmpdir(), "entente-main-lock-"));
      dirs.push(dir);
      return testConfig(dir, { database: { type: "postgres", url: fresh.url } as never });
    };
    const first = await startHomeserver(config());
    running.push(first);
    await registerUser(first.url, "alice");
    await assert.rejects(startHomeserver(config(), { mainLockWaitMs: 400 }), (e: unknown) => e instanceof Error && e.name === "MainLockHeld" && /another main homeserver process is writing this PostgreSQL database/.test(e.message));
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const second = await startHomeserver(config(), { mainLockWaitMs: 5_000 });
    running.push(second);
    const res = await fetch(`${second.url}/_matrix/client/v3/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: "correct horse battery staple" }) });
    assert.equal(res.status, 200, "the second main serves the same database");
  });
});
