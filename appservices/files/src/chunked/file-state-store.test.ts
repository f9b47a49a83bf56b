// The Node upload state file: saves asked at once (two parts in flight) all succeed, in order.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileStateStore } from "./file-state-store.ts";
import type { UploadState } from "./upload-state.ts";

describe("fileStateStore", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "state-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("takes saves asked at once (parts in flight): none fails, the last one asked is what stays", async () => {
    const store = fileStateStore(join(dir, "state.json"));
    const state: UploadState = { version: 1, name: "f.bin", mimetype: "application/octet-stream", size: 20, partSize: 1, parts: [] };
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      state.parts.push({ index: i, key: "a2V5", iv: "aXY=", mxc: `mxc://a.test/m${i}` });
      saves.push(store.save(state)); // not awaited: as two parts saving at once
    }
    const results = await Promise.allSettled(saves);
    assert.deepEqual(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason)), []);
    assert.equal((await store.load())?.parts.length, 20);
  });

  it("a clear asked while saves are queued (a cancel just after a part's acknowledgement) leaves no state, nor its temporary file", async () => {
    const path = join(dir, "state.json");
    const store = fileStateStore(path);
    const state: UploadState = { version: 1, name: "f.bin", mimetype: "application/octet-stream", size: 2, partSize: 1, parts: [{ index: 0, key: "a2V5", iv: "aXY=", mxc: "mxc://a.test/m0" }] };
    const saves = [store.save(state), store.save(state)];
    await store.clear();
    await Promise.allSettled(saves);
    assert.equal(await store.load(), undefined, "the cancelled upload's state (its keys) is gone");
    assert.equal(existsSync(`${path}.tmp`), false);
  });
});
