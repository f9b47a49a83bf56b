// Issue 15 (the page's memory during a large upload): an upload worker sends PARTS_PER_WORKER
// parts, then is ended and a fresh one goes on from the stored state (client/src/core/dossiers/
// upload-worker-client.ts), so the garbage of its parts' buffers goes with its heap. Chromium, one
// homeserver, a file of 2 × PARTS_PER_WORKER + 1 parts (1 MiB threshold):
// - three workers run; the homeserver stores each part and the manifest once (its media store is
//   counted); the file saved back is byte-identical;
// - « Mettre en pause » clicked while the second worker is loading (its script held back) pauses:
//   nothing more is stored; « Reprendre » sends only the missing parts, byte-identical;
// - « Annuler » clicked at the same moment cancels: nothing more is stored, no row.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Download, Route, Worker } from "playwright-core";
import { screenshotOnFailure } from "../harness/browser.ts";
import { openOneServerDossier, type OneServerDossier } from "../harness/dossier-one-server.ts";
import { PARTS_PER_WORKER } from "../../client/src/core/dossiers/dossier-config.ts";
import { storedMedia } from "../harness/media-files.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const TITLE = "Étude relais";
const PARTS = 2 * PARTS_PER_WORKER + 1;

describe("dossier upload handed from one worker to a fresh one every few parts (Chromium)", function () {
  this.timeout(300_000);
  let d: OneServerDossier;
  screenshotOnFailure("dossier-upload-relay", () => d?.page);

  before(async () => {
    d = await openOneServerDossier({ title: TITLE, largeFileThreshold: MiB });
  });
  after(async () => {
    await d?.close();
  });

  const row = (name: string) => d.page.getByRole("grid").locator("tbody tr").filter({ has: d.page.locator("td:first-child", { hasText: name }) });
  async function savedBack(name: string): Promise<string> {
    const [dl] = await Promise.all([d.page.waitForEvent("download", { timeout: 60_000 }), row(name).getByRole("button", { name: `Télécharger ${name}`, exact: true }).click()]) as [Download, unknown];
    assert.equal(await dl.failure(), null);
    return sha256(await readFile((await dl.path())!));
  }
  async function onDisk(name: string, data: Uint8Array): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), "entente-upload-relay-")), name);
    await writeFile(path, data);
    return path;
  }

  it("three workers send the parts, each stored once; the file comes back byte-identical", async () => {
    const name = "relais-trois-travailleurs.bin";
    const original = randomBytes((PARTS - 1) * MiB + 777);
    const workers: string[] = [];
    const onWorker = (w: Worker): void => void (/upload-worker/.test(w.url()) && workers.push(w.url()));
    d.page.on("worker", onWorker);
    const before = await storedMedia(d.hs.dir);
    await d.page.locator("input#files").setInputFiles(await onDisk(name, original));
    await row(name).waitFor({ timeout: 120_000 });
    d.page.off("worker", onWorker);
    assert.equal(workers.length, 3, `workers: ${workers.join(", ")}`);
    assert.equal(await storedMedia(d.hs.dir) - before, PARTS + 1, "each part and the manifest stored once");
    assert.equal(await savedBack(name), sha256(original), "byte-identical");
  });

  /** Holds the second upload worker's script until `release()`; `asked` once it is requested. */
  function holdSecondWorker() {
    let loads = 0;
    let release: (() => void) | undefined;
    const held = new Promise<void>((r) => (release = r));
    let secondAsked: (() => void) | undefined;
    const asked = new Promise<void>((r) => (secondAsked = r));
    const route = async (r: Route): Promise<void> => {
      if (++loads === 2) {
        secondAsked?.();
        await held;
      }
      await r.continue();
    };
    return { route, asked, release: () => release?.() };
  }

  it("a pause while the next worker loads stops the upload; « Reprendre » sends only the missing parts", async () => {
    const page = d.page;
    const name = "relais-en-pause.bin";
    const original = randomBytes((PARTS - 1) * MiB + 99);
    const { route: holdSecond, asked, release } = holdSecondWorker();
    const before = await storedMedia(d.hs.dir);
    await page.context().route("**/*upload-worker*", holdSecond);
    try {
      await page.locator("input#files").setInputFiles(await onDisk(name, original));
      await asked;
      await page.getByRole("button", { name: `Mettre en pause l'envoi de ${name}`, exact: true }).click();
      release();
      const resume = page.getByRole("button", { name: `Reprendre l'envoi de ${name}`, exact: true });
      await resume.waitFor({ timeout: 60_000 });
      // the first worker's parts, all answered before it was ended; the fresh one sent nothing
      assert.equal(await storedMedia(d.hs.dir) - before, PARTS_PER_WORKER);
      await resume.click();
      await row(name).waitFor({ timeout: 120_000 });
    } finally {
      release();
      await page.context().unroute("**/*upload-worker*", holdSecond);
    }
    assert.equal(await storedMedia(d.hs.dir) - before, PARTS + 1, "each part and the manifest stored once");
    assert.equal(await savedBack(name), sha256(original), "byte-identical");
  });

  it("a cancel while the next worker loads ends the upload: nothing more is stored, no row", async () => {
    const page = d.page;
    const name = "relais-annulé.bin";
    const { route: holdSecond, asked, release } = holdSecondWorker();
    const before = await storedMedia(d.hs.dir);
    await page.context().route("**/*upload-worker*", holdSecond);
    try {
      await page.locator("input#files").setInputFiles(await onDisk(name, randomBytes((PARTS - 1) * MiB + 5)));
      await asked;
      await page.getByRole("button", { name: `Annuler l'envoi de ${name}`, exact: true }).click();
      release();
      await page.getByText(`Envoi de ${name} annulé.`).waitFor({ timeout: 60_000 });
    } finally {
      release();
      await page.context().unroute("**/*upload-worker*", holdSecond);
    }
    assert.equal(await storedMedia(d.hs.dir) - before, PARTS_PER_WORKER, "only the first worker's parts");
    assert.equal(await row(name).count(), 0);
  });
});
