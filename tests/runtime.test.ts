import assert from "node:assert/strict";

describe("runtime", () => {
  it("runs on Node 24 or newer (pinned through the npm node package)", () => {
    const major = Number(process.versions.node.split(".")[0]);
    assert.ok(major >= 24, `expected Node >= 24, got ${process.versions.node}`);
  });
  it("has node:sqlite available without flags", async () => {
    const sqlite = await import("node:sqlite");
    const db = new sqlite.DatabaseSync(":memory:");
    assert.equal(db.prepare("select 1 as x").get()?.["x"], 1);
    db.close();
  });
});
