// The folder view (<ent-dossier>) alone in Chromium over a stand-in port
// (tests/browser/fixtures/dossier-view.ts): what the demo walk found, each checked in the page.
// A search lists the whole dossier: each result says « Dans : Études », a link that opens that
// folder (f6f3951). An old version is saved under the name it was sent with, the latest under the
// entry's. After a new version the status says « Nouvelle version de convention.pdf envoyée. »,
// not the uploaded file's name. An empty dossier says how to begin, not « 0 o stockés ». A deleted,
// restored, renamed or moved entry is said in the status line (a live region: the row leaves the
// grid). At 1280 px beside a room list, a partner's long uploader name leaves every row's
// « Actions » and a move's list and buttons inside the window.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { dossierRow as row, rowAction } from "../harness/dossier-pages.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";

interface Calls { saved: string[]; uploads: { name: string; versionOf: string | undefined }[] }

describe("dossier view over a stand-in port: where results are, version names, empty dossier (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("dossier-view-stand-in", () => page);
  const mount = (empty: boolean, longNames = false) => page.evaluate(([e, l]) => { (globalThis as unknown as { mountDossierView(e: boolean, l: boolean): void }).mountDossierView(e, l); }, [empty, longNames] as const);
  const besideRoomList = (on: boolean) => page.evaluate((o) => { (globalThis as unknown as { besideRoomList(o: boolean): void }).besideRoomList(o); }, on);
  const status = () => page.locator("ent-dossier p[role=status].muted");
  const calls = () => page.evaluate(() => (globalThis as unknown as { dossierCalls: Calls }).dossierCalls);

  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Dossier</title></head><body><main></main></body></html>`);
    await page.addScriptTag({ content: await bundleForPage(join(import.meta.dirname, "fixtures/dossier-view.ts")) });
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

  it("says where a deleted, restored, renamed or moved entry went, in the live status line", async () => {
    await mount(false);
    await rowAction(page, "convention.pdf", "Supprimer convention.pdf");
    await row(page, "convention.pdf").waitFor({ state: "detached" });
    assert.equal(await status().getAttribute("aria-live"), "polite");
    await status().getByText("« convention.pdf » est dans la corbeille : cochez « Corbeille (éléments supprimés) » pour le restaurer.").waitFor();
    await page.getByLabel("Corbeille (éléments supprimés)").check();
    await row(page, "convention.pdf").getByRole("button", { name: "Restaurer convention.pdf" }).click();
    await status().getByText("« convention.pdf » est restauré dans Racine du dossier.").waitFor();
    await page.getByLabel("Corbeille (éléments supprimés)").uncheck();
    await rowAction(page, "convention.pdf", "Renommer convention.pdf");
    await page.getByLabel("Nouveau nom de convention.pdf").fill("convention-signee.pdf");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await status().getByText("« convention.pdf » est renommé « convention-signee.pdf ».").waitFor();
    await rowAction(page, "convention-signee.pdf", "Renommer convention-signee.pdf");
    await page.getByLabel("Nouveau nom de convention-signee.pdf").fill("convention.pdf");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await row(page, "convention.pdf").waitFor();
    await rowAction(page, "convention.pdf", "Déplacer convention.pdf");
    await row(page, "convention.pdf").getByLabel("Déplacer convention.pdf vers").selectOption({ label: "Études" });
    await row(page, "convention.pdf").getByRole("button", { name: "Déplacer convention.pdf dans le dossier choisi" }).click();
    await row(page, "convention.pdf").waitFor({ state: "detached" });
    await status().getByText("« convention.pdf » est déplacé dans Études.").waitFor();
  });

  it("fits 1280 px beside a room list: every row's actions and a move's list stay in the window", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await besideRoomList(true);
    try {
      await mount(false, true);
      await row(page, "convention.pdf").waitFor();
      const inside = async (what: string, l: ReturnType<Page["locator"]>) => {
        const box = await l.boundingBox();
        assert.ok(box !== null, `${what} is shown`);
        assert.ok(box.x >= 0 && box.x + box.width <= 1280, `${what} within the window (${box.x.toFixed(0)}–${(box.x + box.width).toFixed(0)} px)`);
      };
      await inside("the grid", page.getByRole("grid"));
      await inside("« Actions » of convention.pdf", row(page, "convention.pdf").getByRole("button", { name: "Actions pour convention.pdf", exact: true }));
      await rowAction(page, "convention.pdf", "Déplacer convention.pdf");
      await inside("the move's list", row(page, "convention.pdf").getByLabel("Déplacer convention.pdf vers"));
      await inside("« Déplacer »", row(page, "convention.pdf").getByRole("button", { name: "Déplacer convention.pdf dans le dossier choisi" }));
      await inside("« Annuler »", row(page, "convention.pdf").getByRole("button", { name: "Annuler", exact: false }).first());
    } finally {
      await besideRoomList(false);
    }
  });
});
