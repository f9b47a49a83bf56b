// The Node upload state file: saves asked at once (two parts in flight) all succeed, in order.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
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
});
