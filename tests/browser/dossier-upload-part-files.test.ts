// Issue 15 (CPU of a large upload): the upload worker PUTs each held part from a file of the
// origin's private file system written with a sync access handle (client/src/core/dossiers/
// opfs-part-bodies.ts), not from a Blob made in memory. Chromium, one homeserver, a file of
// 3 × PARTS_PER_WORKER parts (1 MiB threshold):
// - while it is sent, part files with bytes in them are seen in the worker's folder (a few slots, reused);
// - once it is sent, no worker folder is left and a stale one (a tab closed mid-upload) is gone;
// - each part is stored once and the file saved back is byte-identical.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Download } from "playwright-core";
import { screenshotOnFailure } from "../harness/browser.ts";
import { openOneServerDossier, type OneServerDossier } from "../harness/dossier-one-server.ts";
import { PARTS_PER_WORKER } from "../../client/src/core/dossiers/dossier-config.ts";
import { PARTS_FOLDER } from "../../client/src/core/dossiers/opfs-part-bodies.ts";
import { storedMedia } from "../harness/media-files.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const PARTS = 3 * PARTS_PER_WORKER;

interface Dir {
  entries(): AsyncIterable<[string, Dir & { kind: string }]>;
  getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<Dir>;
}

describe("dossier upload: parts PUT from files of the origin's private file system (Chromium)", function () {
  this.timeout(300_000);
  let d: OneServerDossier;
  screenshotOnFailure("dossier-upload-part-files", () => d?.page);

  before(async () => {
    d = await openOneServerDossier({ title: "Étude fichiers de parts", largeFileThreshold: MiB });
  });
  after(async () => {
    await d?.close();
  });

  it("parts go through a few reused files, removed once sent (a stale folder too); byte-identical", async () => {
    const name = "parts-en-fichiers.bin";
    const original = randomBytes(PARTS * MiB - 333);
    const path = join(await mkdtemp(join(tmpdir(), "entente-part-files-")), name);
    await writeFile(path, original);
    // a folder left by a worker that never closed (started at the epoch: long stale), and a watch
    // of the part files every few ms in the page while the upload runs
    await d.page.evaluate(async (folder) => {
      const top = await (await (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<Dir> } } }).navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
      await top.getDirectoryHandle(`1-stale`, { create: true });
      const g = globalThis as unknown as { partFiles: Set<string>; watching: boolean };
      g.partFiles = new Set();
      g.watching = true;
      void (async () => {
        while (g.watching) {
          for await (const [worker, h] of top.entries()) {
            if (h.kind !== "directory" || worker === "1-stale") continue;
            try {
              for await (const [file, f] of h.entries()) if ((await (f as unknown as { getFile(): Promise<File> }).getFile()).size > 0) g.partFiles.add(file);
            } catch {
              // removed meanwhile
            }
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    }, PARTS_FOLDER);
    const before = await storedMedia(d.hs.dir);
    await d.page.locator("input#files").setInputFiles(path);
    const row = d.page.getByRole("grid").locator("tbody tr").filter({ has: d.page.locator("td:first-child", { hasText: name }) });
    await row.waitFor({ timeout: 120_000 });
    const { seen, left } = await d.page.evaluate(async (folder) => {
      const g = globalThis as unknown as { partFiles: Set<string>; watching: boolean };
      g.watching = false;
      const top = await (await (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<Dir> } } }).navigator.storage.getDirectory()).getDirectoryHandle(folder);
      const left: string[] = [];
      for await (const [entry] of top.entries()) left.push(entry);
      return { seen: [...g.partFiles].sort(), left };
    }, PARTS_FOLDER);
    assert.ok(seen.some((f) => /^slot-\d+$/.test(f)), `part files seen during the upload: ${seen.join(", ")}`);
    assert.ok(seen.length <= 4, `a few slots reused, not a file per part: ${seen.join(", ")}`);
    assert.deepEqual(left, [], "every worker's folder removed, the stale one too");
    assert.equal(await storedMedia(d.hs.dir) - before, PARTS + 1, "each part and the manifest stored once");
    const [dl] = await Promise.all([d.page.waitForEvent("download", { timeout: 60_000 }), row.getByRole("button", { name: `Télécharger ${name}`, exact: true }).click()]) as [Download, unknown];
    assert.equal(await dl.failure(), null);
    assert.equal(sha256(await readFile((await dl.path())!)), sha256(original), "byte-identical");
  });
});
