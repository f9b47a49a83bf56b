// The folder view (<ent-dossier>) alone in Chromium over a stand-in port
// (tests/browser/fixtures/dossier-view.ts): what the demo walk found, each checked in the page.
// A search lists the whole dossier: each result says « Dans : Études », a link that opens that
// folder (f6f3951). An old version is saved under the name it was sent with, the latest under the
// entry's. After a new version the status says « Nouvelle version de convention.pdf envoyée. »,
// not the uploaded file's name. An empty dossier says how to begin, not « 0 o stockés ».
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { dossierRow as row, rowAction } from "../harness/dossier-pages.ts";

async function bundle(): Promise<string> {
  const { build } = await import("rolldown");
  // PDF previews import pdf.js's worker as a Vite `?url` asset: an empty address stands in.
  const urlStub = {
    name: "vite-url-stub",
    resolveId: (id: string) => (id.endsWith("?url") ? "\0url-stub" : null),
    load: (id: string) => (id === "\0url-stub" ? "export default \"about:blank\";" : null),
  };
  const out = await build({ input: join(import.meta.dirname, "fixtures/dossier-view.ts"), write: false, cwd: join(import.meta.dirname, "../.."), plugins: [urlStub], output: { format: "iife" } });
  return out.output[0].code;
}

interface Calls { saved: string[]; uploads: { name: string; versionOf: string | undefined }[] }

describe("dossier view over a stand-in port: where results are, version names, empty dossier (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("dossier-view-stand-in", () => page);
  const mount = (empty: boolean) => page.evaluate((e) => { (globalThis as unknown as { mountDossierView(e: boolean): void }).mountDossierView(e); }, empty);
  const calls = () => page.evaluate(() => (globalThis as unknown as { dossierCalls: Calls }).dossierCalls);

  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Dossier</title></head><body><main></main></body></html>`);
    await page.addScriptTag({ content: await bundle() });
  });
  after(async () => { await browser?.close(); });

  it("a search result says its folder, and its link opens it", async () => {
    await mount(false);
    await row(page, "convention.pdf").waitFor();
    assert.equal(await row(page, "etude-mobilite.ods").count(), 0, "the study is not at the root");
    await page.getByLabel("Rechercher par nom").fill("mobil");
    const result = row(page, "etude-mobilite.ods");
    await result.getByText("Dans : Études").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await result.getByRole("button", { name: "Dans : Études — ouvrir ce dossier, où se trouve etude-mobilite.ods" }).click();
    await page.getByRole("grid", { name: "Contenu de Études" }).waitFor();
    assert.equal(await page.getByLabel("Rechercher par nom").inputValue(), "", "the search is cleared");
    assert.equal(await row(page, "etude-mobilite.ods").getByText("Dans :").count(), 0, "inside its folder the row says nothing more");
  });

  it("saves an old version under its own name; a new version is said as one of the entry", async () => {
    await mount(false);
    await rowAction(page, "convention.pdf", "Historique des versions de convention.pdf");
    await page.getByRole("button", { name: "Télécharger la version 1 de convention.pdf" }).click();
    await page.getByRole("button", { name: "Télécharger la version 2 de convention.pdf" }).click();
    await page.getByText("convention.pdf enregistré", { exact: false }).first().waitFor();
    assert.deepEqual((await calls()).saved, ["convention-v1.pdf", "convention.pdf"]);

    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), rowAction(page, "convention.pdf", "Nouvelle version de convention.pdf")]);
    await chooser.setFiles({ name: "convention-v3.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 v3") });
    await page.getByText("Nouvelle version de convention.pdf envoyée.").waitFor();
    assert.deepEqual((await calls()).uploads, [{ name: "convention-v3.pdf", versionOf: "$conv" }]);

    // An interrupted new version, published after a reload: said the same way (a fresh view, its status empty).
    await mount(false);
    assert.equal(await page.getByText("Nouvelle version de convention.pdf envoyée.").count(), 0);
    await page.getByRole("button", { name: "Publier convention-v4.pdf dans le dossier" }).click();
    await page.getByText("Nouvelle version de convention.pdf envoyée.").waitFor();
    assert.deepEqual((await calls()).uploads.at(-1), { name: "resumed", versionOf: "$conv" });
  });

  it("an empty dossier says how to begin and the largest file accepted", async () => {
    await mount(true);
    await page.getByText("Aucun fichier pour l'instant : ajoutez-en avec « Ajouter des fichiers » ou glissez-les ici (jusqu'à 50 Mo par fichier).").waitFor();
    assert.equal(await page.getByText("stockés dans ce dossier").count(), 0);
  });
});
