// Issue 15: a file above the large-file threshold is read, encrypted, hashed and sent by a
// dedicated worker (client/src/core/dossiers/upload-worker.ts), not the page's main thread.
// Chromium, one homeserver, a file in 4 encrypted parts (1 MiB threshold):
// - the upload starts the worker, the row appears and the file saved back is byte-identical;
// - a part altered on its way down (one byte flipped, same length) is refused by its SHA-256:
//   the download stops with the part named, nothing saved;
// - « Annuler » clicked while the worker is still loading (its script held back) cancels the
//   upload: nothing is sent once it has loaded (review R1: the cancel was lost, every part sent).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Download, Route, Worker } from "playwright-core";
import { screenshotOnFailure } from "../harness/browser.ts";
import { openOneServerDossier, type OneServerDossier } from "../harness/dossier-one-server.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const MEDIA = "**/_matrix/client/v1/media/download/**";
const TITLE = "Étude travailleur";

describe("dossier uploads in parts run by a dedicated worker (Chromium)", function () {
  this.timeout(300_000);
  let d: OneServerDossier;
  const original = randomBytes(3 * MiB + 4_321);
  const name = "relevé-des-réseaux.bin";
  screenshotOnFailure("dossier-upload-worker", () => d?.page);

  before(async () => {
    d = await openOneServerDossier({ title: TITLE, largeFileThreshold: MiB });
  });
  after(async () => {
    await d?.close();
  });

  const row = () => d.page.getByRole("grid").locator("tbody tr").filter({ has: d.page.locator("td:first-child", { hasText: name }) });
  const download = () => row().getByRole("button", { name: `Télécharger ${name}`, exact: true }).click();

  it("sends the parts from the upload worker; the file comes back byte-identical", async () => {
    const page = d.page;
    const workers: string[] = [];
    const onWorker = (w: Worker): void => void workers.push(w.url());
    page.on("worker", onWorker);
    const onDisk = join(await mkdtemp(join(tmpdir(), "entente-upload-worker-")), name);
    await writeFile(onDisk, original);
    await page.locator("input#files").setInputFiles(onDisk);
    await row().waitFor({ timeout: 120_000 });
    page.off("worker", onWorker);
    assert.ok(workers.some((u) => /upload-worker/.test(u)), `an upload worker ran (workers: ${workers.join(", ") || "none"})`);
    const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), download()]) as [Download, unknown];
    assert.equal(await dl.failure(), null);
    assert.equal(sha256(await readFile((await dl.path())!)), sha256(original), "byte-identical");
  });

  it("cancels an upload whose worker is still loading: nothing is sent", async () => {
    const page = d.page;
    const other = "annulé-au-démarrage.bin";
    let release: (() => void) | undefined;
    const held = new Promise<void>((r) => (release = r));
    let workerAsked: (() => void) | undefined;
    const asked = new Promise<void>((r) => (workerAsked = r));
    const holdWorker = async (route: Route): Promise<void> => {
      workerAsked?.();
      await held;
      await route.continue();
    };
    const sent: string[] = [];
    const onRequest = (r: { url(): string; method(): string }): void => {
      if (/\/_matrix\/media\/v[13]\/(create|upload)/.test(r.url())) sent.push(`${r.method()} ${r.url()}`);
    };
    await page.context().route("**/*upload-worker*", holdWorker);
    page.on("request", onRequest);
    try {
      const onDisk = join(await mkdtemp(join(tmpdir(), "entente-upload-cancel-")), other);
      await writeFile(onDisk, randomBytes(2 * MiB + 17));
      await page.locator("input#files").setInputFiles(onDisk);
      await asked;
      await page.getByRole("button", { name: `Annuler l'envoi de ${other}`, exact: true }).click({ timeout: 60_000 });
      release?.();
      await page.getByText(`Envoi de ${other} annulé.`).waitFor({ timeout: 60_000 });
      // before the fix the message came only once the worker had sent every part
      assert.deepEqual(sent, [], "no media request after the cancel");
      assert.equal(await row().filter({ hasText: other }).count(), 0);
    } finally {
      release?.();
      page.off("request", onRequest);
      await page.context().unroute("**/*upload-worker*", holdWorker);
    }
  });

  it("refuses a part altered on its way down (SHA-256 of the ciphertext), naming the part", async () => {
    const page = d.page;
    let n = 0;
    // manifest, part 1, part 2: the third GET gets its body with one byte flipped
    const alter = async (route: Route): Promise<void> => {
      if (++n !== 3) return route.continue();
      const res = await route.fetch();
      const body = Buffer.from(await res.body());
      const at = body.length >> 1;
      body[at] = body[at]! ^ 0xff;
      await route.fulfill({ response: res, body });
    };
    await page.context().route(MEDIA, alter);
    try {
      const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), download()]) as [Download, unknown];
      assert.notEqual(await dl.failure(), null, "the browser's download failed");
      await page.getByText(`${name} : le contenu reçu ne correspond pas à son empreinte SHA-256 (partie 2)`).waitFor({ timeout: 60_000 });
    } finally {
      await page.context().unroute(MEDIA, alter);
    }
  });
});
