import assert from "node:assert/strict";
import { partsProgress, PendingUploads, resumeVerdict, type KeyValueStorage } from "./pending-uploads.ts";

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe("client core: interrupted dossier uploads", () => {
  it("keeps a record per upload with the uploader's state, removed when the uploader clears it", async () => {
    const storage = mapStorage();
    const p = new PendingUploads(storage, "@alice:ville-a.test");
    p.put({ id: "u1", roomId: "!d", parent: "$folder", versionOf: undefined, name: "etude.mp4", size: 300, threshold: 100, state: undefined });
    p.put({ id: "u2", roomId: "!other", parent: undefined, versionOf: "$f", name: "x.bin", size: 200, threshold: 100, state: undefined });
    assert.deepEqual(p.forRoom("!d").map((u) => u.id), ["u1"]);
    const store = p.stateStore("u1");
    const state = { version: 1 as const, name: "etude.mp4", mimetype: "video/mp4", size: 300, partSize: 112, parts: [
      { index: 0, key: "k0", iv: "i0", mxc: "mxc://a/0", sha256: "h0" }, { index: 1, key: "k1", iv: "i1" }, { index: 2, key: "k2", iv: "i2" }] };
    await store.save(state);
    assert.deepEqual(await store.load(), state);
    assert.deepEqual(partsProgress(p.get("u1")!), { done: 1, total: 3 });
    // Another account in the same browser does not see it.
    assert.deepEqual(new PendingUploads(storage, "@bob:agglo-b.test").all(), []);
    await store.clear();
    assert.deepEqual(p.all().map((u) => u.id), ["u2"]);
    p.remove("u2");
    assert.equal(storage.map.size, 0, "nothing left in storage");
  });

  it("survives damaged storage", () => {
    const storage = mapStorage();
    const p = new PendingUploads(storage, "@a:x");
    storage.setItem("entente.dossier-uploads.@a:x", "{not json");
    assert.deepEqual(p.all(), []);
    storage.setItem("entente.dossier-uploads.@a:x", JSON.stringify([{ id: 1 }, { id: "ok", roomId: "!r", name: "n", size: 1, threshold: 1, state: { version: 9 } }]));
    assert.deepEqual(p.all().map((u) => [u.id, u.state]), [["ok", undefined]], "a bad record dropped, a bad state ignored");
  });

  it("keeps the File's lastModified: a file edited in place (same name and size) cannot resume, an old record without it still can", () => {
    const storage = mapStorage();
    const p = new PendingUploads(storage, "@a:x");
    p.put({ id: "u1", roomId: "!d", parent: undefined, versionOf: undefined, name: "budget.ods", size: 300, threshold: 100, state: undefined, lastModified: 1_765_000_000_000 });
    const stored = p.get("u1")!;
    assert.equal(stored.lastModified, 1_765_000_000_000, "stored and read back");
    assert.equal(resumeVerdict(stored, { name: "budget.ods", size: 300, lastModified: 1_765_000_000_000 }), "same");
    assert.equal(resumeVerdict(stored, { name: "budget.ods", size: 300, lastModified: 1_765_000_000_001 }), "changed");
    assert.equal(resumeVerdict(stored, { name: "budget.ods", size: 301, lastModified: 1_765_000_000_000 }), "not-same-file");
    assert.equal(resumeVerdict(stored, { name: "autre.ods", size: 300, lastModified: 1_765_000_000_000 }), "not-same-file");
    storage.setItem("entente.dossier-uploads.@a:x", JSON.stringify([{ id: "old", roomId: "!r", name: "n", size: 1, threshold: 1 }]));
    const old = p.get("old")!;
    assert.equal(old.lastModified, undefined);
    assert.equal(resumeVerdict(old, { name: "n", size: 1, lastModified: 5 }), "same", "a record from before has nothing to compare");
  });
});
