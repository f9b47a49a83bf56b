import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, readCredentials } from "./calendar-bot.ts";

describe("calendar bot command line", () => {
  it("reads the credentials file by origin, and refuses a malformed one with a clear line", () => {
    const dir = mkdtempSync(join(tmpdir(), "entente-calbin-"));
    try {
      const ok = join(dir, "ok.yaml");
      writeFileSync(ok, '"https://dav.ville-a.fr/agents/":\n  username: agent\n  password: "s3cret"\n');
      assert.deepEqual(readCredentials(ok), { "https://dav.ville-a.fr": { username: "agent", password: "s3cret" } });
      const bad = join(dir, "bad.yaml");
      writeFileSync(bad, '"https://dav.ville-a.fr":\n  username: agent\n');
      assert.throws(() => readCredentials(bad), /https:\/\/dav\.ville-a\.fr needs a username and a password/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 on a bad command line, before starting anything", async () => {
    const err = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      assert.equal(await main(["--nope"]), 2);
      assert.equal(await main(["--registration", "r.yaml"]), 2);
      assert.equal(await main(["--registration", "r", "--homeserver", "h", "--domain", "d", "--store", "s", "--demo-collection", "http://x/"]), 2);
    } finally {
      process.stderr.write = err;
    }
  });
});
