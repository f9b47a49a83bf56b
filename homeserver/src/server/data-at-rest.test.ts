import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeFix, privateMode, sqliteFiles, tightenPermissions } from "./data-at-rest.ts";

const mode = (p: string): number => statSync(p).mode & 0o7777;

describe("data at rest permissions", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "entente-perm-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("privateMode drops group and other bits and keeps the owner's", () => {
    assert.equal(privateMode(0o644), 0o600);
    assert.equal(privateMode(0o755), 0o700);
    assert.equal(privateMode(0o40755), 0o700, "the file type bits are ignored");
    assert.equal(privateMode(0o600), undefined);
    assert.equal(privateMode(0o700), undefined);
    assert.equal(describeFix({ path: "x", from: 0o644, to: 0o600 }), "x 0644→0600");
  });

  it("fixes a whole tree whose root is open, and single files, but not what a symlink points to", () => {
    const data = join(root, "data");
    mkdirSync(join(data, "media", "local", "ab"), { recursive: true });
    writeFileSync(join(data, "media", "local", "ab", "file"), "x");
    const outside = join(root, "outside.txt");
    writeFileSync(outside, "not ours to change");
    symlinkSync(outside, join(data, "link"));
    const key = join(root, "signing.key");
    writeFileSync(key, "k");
    for (const d of [data, join(data, "media"), join(data, "media", "local"), join(data, "media", "local", "ab")]) chmodSync(d, 0o755);
    for (const f of [join(data, "media", "local", "ab", "file"), outside, key]) chmodSync(f, 0o644);

    const report = tightenPermissions({ trees: [data], files: [key, join(root, "missing")] });
    assert.equal(report.fixed.length, 6);
    assert.deepEqual(report.failed, []);
    assert.equal(mode(data), 0o700);
    assert.equal(mode(join(data, "media", "local", "ab")), 0o700);
    assert.equal(mode(join(data, "media", "local", "ab", "file")), 0o600);
    assert.equal(mode(key), 0o600);
    assert.equal(mode(outside), 0o644, "a symlink is not followed");

    const again = tightenPermissions({ trees: [data], files: [key] });
    assert.equal(again.fixed.length, 0, "a second start has nothing to fix");
    assert.equal(again.examined, 2, "and does not walk a tree whose root is private");
  });

  it("lists the SQLite files kept beside the database", () => {
    assert.deepEqual(sqliteFiles("/d/hs.db"), ["/d/hs.db", "/d/hs.db-wal", "/d/hs.db-shm", "/d/hs.db-journal"]);
  });
});
