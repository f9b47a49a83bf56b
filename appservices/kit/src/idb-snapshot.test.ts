import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IDBFactory as FakeIDBFactory } from "fake-indexeddb";
import type { IdbFactory, IdbRequest } from "./idb-types.ts";
import { restoreIdbSnapshot, saveIdbSnapshot } from "./idb-snapshot.ts";

const req = <T>(r: IdbRequest<T>): Promise<T> => new Promise((res, rej) => { r.onsuccess = (): void => res(r.result); r.onerror = (): void => rej(r.error); });

async function seed(f: IdbFactory, name: string): Promise<void> {
  const open = f.open(name, 3);
  open.onupgradeneeded = (): void => {
    const keyed = open.result.createObjectStore("keyed", { keyPath: "id", autoIncrement: false });
    keyed.createIndex("by_room", "room", { unique: false, multiEntry: false });
    open.result.createObjectStore("free", { keyPath: null, autoIncrement: false });
  };
  const db = await req(open);
  const tx = db.transaction(["keyed", "free"], "readwrite");
  tx.objectStore("keyed").put({ id: "a", room: "!r", bytes: new Uint8Array([1, 2, 3]) });
  tx.objectStore("free").put(new Map([["k", 1]]), ["compound", 7]);
  await new Promise((r) => { tx.oncomplete = r; });
  db.close();
}

const fresh = (): IdbFactory => new FakeIDBFactory() as IdbFactory;

describe("IndexedDB snapshot (the bot's crypto store on disk)", () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "idb-snap-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips stores, key paths, indexes, explicit keys and binary values into a fresh factory", async () => {
    const a = fresh();
    await seed(a, "bot::crypto");
    await seed(a, "other-bot::crypto");
    const path = join(dir, "store.v8");
    assert.ok(await saveIdbSnapshot(a, "bot::", path) > 0);
    assert.deepEqual(readdirSync(dir), ["store.v8"], "no temp file left behind");
    const b = fresh();
    assert.equal(await restoreIdbSnapshot(b, path), 1, "only the prefix's databases");
    const db = await req(b.open("bot::crypto"));
    assert.equal(db.version, 3);
    const tx = db.transaction(["keyed", "free"], "readonly");
    const row = await req(tx.objectStore("keyed").index("by_room").get("!r")) as { bytes: Uint8Array };
    assert.deepEqual([...row.bytes], [1, 2, 3]);
    assert.ok(row.bytes instanceof Uint8Array);
    assert.deepEqual(await req(tx.objectStore("free").get(["compound", 7])), new Map([["k", 1]]));
    assert.deepEqual((await b.databases()).map((d) => d.name), ["bot::crypto"]);
  });

  it("restores nothing on first start, and refuses a file that is not a snapshot", async () => {
    assert.equal(await restoreIdbSnapshot(fresh(), join(dir, "none.v8")), 0);
    const bad = join(dir, "bad.v8");
    writeFileSync(bad, Buffer.from([0xff, 0x0f, 0x22, 0x01, 0x78]));
    await assert.rejects(restoreIdbSnapshot(fresh(), bad), /not a crypto store snapshot/);
    assert.ok(existsSync(bad));
  });
});
