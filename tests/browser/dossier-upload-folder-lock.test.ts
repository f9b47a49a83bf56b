// Review R10 (issue 15): an upload's folder of part files in the origin's private file system
// (client/src/core/dossiers/opfs-part-bodies.ts) is held by a Web Lock while the upload lives,
// paused included, and another upload's worker removes an old folder only when its lock is free:
// an upload paused (or running) for longer than the staleness age keeps its files. Chromium, one
// homeserver (1 MiB threshold):
// - a folder with an old start time whose lock a page holds (as a paused upload's page does)
//   survives another upload, while an old folder with no lock is removed;
// - a paused upload holds its folder's lock.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Route } from "playwright-core";
import { screenshotOnFailure } from "../harness/browser.ts";
import { openOneServerDossier, type OneServerDossier } from "../harness/dossier-one-server.ts";
import { PARTS_PER_WORKER } from "../../client/src/core/dossiers/dossier-config.ts";
import { folderLockName, PARTS_FOLDER } from "../../client/src/core/dossiers/opfs-part-bodies.ts";

const MiB = 1024 * 1024;

interface Dir {
  entries(): AsyncIterable<[string, unknown]>;
  getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<Dir>;
}
interface Locks {
  request(name: string, cb: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

describe("dossier upload: part files' folders held by a Web Lock while their upload lives (Chromium)", function () {
  this.timeout(300_000);
  let d: OneServerDossier;
  screenshotOnFailure("dossier-upload-folder-lock", () => d?.page);

  before(async () => {
    d = await openOneServerDossier({ title: "Étude verrous de dossiers", largeFileThreshold: MiB });
  });
  after(async () => {
    await d?.close();
  });

  const row = (name: string) => d.page.getByRole("grid").locator("tbody tr").filter({ has: d.page.locator("td:first-child", { hasText: name }) });
  async function onDisk(name: string, size: number): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), "entente-folder-lock-")), name);
    await writeFile(path, randomBytes(size));
    return path;
  }
  const folders = (): Promise<string[]> => d.page.evaluate(async (folder) => {
    const top = await (await (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<Dir> } } }).navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
    const out: string[] = [];
    for await (const [entry] of top.entries()) out.push(entry);
    return out.sort();
  }, PARTS_FOLDER);

  it("an old folder whose lock is held survives another upload; an old one with no lock is removed", async () => {
    // two folders started at the epoch (long past any staleness age); the page holds the first one's lock
    await d.page.evaluate(async ({ folder, lock }) => {
      const nav = globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<Dir> }; locks: Locks } };
      const top = await (await nav.navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
      await top.getDirectoryHandle("1-paused", { create: true });
      await top.getDirectoryHandle("2-orphan", { create: true });
      await new Promise<void>((granted) => void nav.navigator.locks.request(lock, () => (granted(), new Promise<void>(() => undefined))));
    }, { folder: PARTS_FOLDER, lock: folderLockName("1-paused") });
    const name = "autre-envoi.bin";
    await d.page.locator("input#files").setInputFiles(await onDisk(name, 3 * MiB + 5));
    await row(name).waitFor({ timeout: 120_000 });
    assert.deepEqual(await folders(), ["1-paused"], "the held folder kept, the orphan removed, the finished upload's own removed");
  });

  it("a paused upload holds its folder's lock", async () => {
    const page = d.page;
    const name = "envoi-en-pause.bin";
    // the second worker's script is held until the pause is asked: the upload pauses between two workers
    let loads = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked!: () => void;
    const second = new Promise<void>((r) => (asked = r));
    const route = async (r: Route): Promise<void> => {
      if (++loads === 2) {
        asked();
        await held;
      }
      await r.continue();
    };
    await page.context().route("**/*upload-worker*", route);
    try {
      await page.locator("input#files").setInputFiles(await onDisk(name, (2 * PARTS_PER_WORKER) * MiB + 7));
      await second;
      await page.getByRole("button", { name: `Mettre en pause l'envoi de ${name}`, exact: true }).click();
      release();
      await page.getByRole("button", { name: `Reprendre l'envoi de ${name}`, exact: true }).waitFor({ timeout: 60_000 });
    } finally {
      release();
      await page.context().unroute("**/*upload-worker*", route);
    }
    const locks = await page.evaluate(async () => ((await (globalThis as unknown as { navigator: { locks: Locks } }).navigator.locks.query()).held ?? []).map((l) => l.name ?? ""));
    const mine = locks.filter((l) => l.startsWith(`${PARTS_FOLDER}/`) && l !== folderLockName("1-paused"));
    assert.equal(mine.length, 1, `the paused upload's folder lock: ${locks.join(", ")}`);
    await page.getByRole("button", { name: `Annuler l'envoi de ${name}`, exact: true }).click();
    await page.getByText(`Envoi de ${name} annulé.`).waitFor({ timeout: 60_000 });
  });
});
