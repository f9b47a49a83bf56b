import assert from "node:assert/strict";
import { PendingDownloads } from "./pending-downloads.ts";
import type { KeyValueStorage } from "./pending-uploads.ts";

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe("client core: interrupted dossier downloads", () => {
  it("keeps one record per version and account, removed when done", () => {
    const storage = mapStorage();
    const p = new PendingDownloads(storage, "@alice:ville-a.test");
    p.put({ id: "d1", roomId: "!d", entryId: "$e", versionId: "$v1", name: "etude.mp4", size: 300, reason: "reload" });
    p.put({ id: "d2", roomId: "!other", entryId: "$f", versionId: "$v2", name: "x.bin", size: undefined, reason: "reload" });
    // the same version downloaded again replaces its record
    p.put({ id: "d3", roomId: "!d", entryId: "$e", versionId: "$v1", name: "etude.mp4", size: 300, reason: "network" });
    assert.deepEqual(p.forRoom("!d").map((d) => [d.id, d.reason]), [["d3", "network"]]);
    assert.deepEqual(new PendingDownloads(storage, "@bob:agglo-b.test").all(), [], "another account sees nothing");
    p.remove("d3");
    p.remove("d2");
    assert.equal(storage.map.size, 0);
  });

  it("tracks a running download: kept as 'reload' while it runs (hidden from this page), 'network' when it failed, gone when done or cancelled", async () => {
    const p = new PendingDownloads(mapStorage(), "@a:x");
    const what = { roomId: "!d", entryId: "$e", versionId: "$v", name: "n.bin", size: 10 };
    let finish!: (v: string) => void;
    const running = p.track(what, new Promise<string>((r) => (finish = r)));
    assert.deepEqual(p.all().map((d) => d.reason), ["reload"], "stored: a reload now would leave it");
    assert.deepEqual(p.interrupted("!d"), [], "not offered in the page running it");
    finish("ok");
    assert.equal(await running, "ok");
    assert.deepEqual(p.all(), []);
    await assert.rejects(p.track(what, Promise.reject(new TypeError("Failed to fetch"))));
    assert.deepEqual(p.interrupted("!d").map((d) => d.reason), ["network"]);
    const cancelled = Object.assign(new Error("x"), { name: "TransferCancelled" });
    await assert.rejects(p.track(what, Promise.reject(cancelled)));
    assert.deepEqual(p.all(), [], "a cancelled download replaces the old record and leaves none");
  });

  it("survives damaged or refusing storage", () => {
    const storage = mapStorage();
    const p = new PendingDownloads(storage, "@a:x");
    storage.setItem("entente.dossier-downloads.@a:x", "{not json");
    assert.deepEqual(p.all(), []);
    storage.setItem("entente.dossier-downloads.@a:x", JSON.stringify([{ id: 1 }, { id: "ok", roomId: "!r", entryId: "$e", versionId: "$v", name: "n" }]));
    assert.deepEqual(p.all().map((d) => [d.id, d.size, d.reason]), [["ok", undefined, "reload"]]);
    const full = new PendingDownloads({ getItem: () => null, setItem: () => { throw new Error("QuotaExceededError"); }, removeItem: () => undefined }, "@a:x");
    full.put({ id: "d", roomId: "!r", entryId: "$e", versionId: "$v", name: "n", size: 1, reason: "reload" });
    assert.deepEqual(full.all(), []);
  });
});
