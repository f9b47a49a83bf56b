// The « Dossiers » page of an agent invited to a partner council's working group, in Chromium
// (<ent-dossiers-list> bundled with a stand-in port: tests/browser/fixtures/dossiers-list.ts). It
// said only « Vous n'êtes membre d'aucun espace de travail… » while the invitation waited in the
// room list; now it lists the working groups' invitations with « Accepter » (keyboard), and once
// one is accepted its dossiers, with the dossier's own invitation. axe clean.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";

describe("dossiers list: a working group's invitation is accepted there (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("dossiers-list-invites", () => page);

  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Dossiers</title></head><body><main></main></body></html>`);
    await page.addScriptTag({ content: await bundleForPage(join(import.meta.dirname, "fixtures/dossiers-list.ts")) });
  });
  after(async () => { await browser?.close(); });

  it("lists the invitation, accepts it from the keyboard, then offers the dossier's", async () => {
    await page.evaluate(() => { (globalThis as unknown as { mountDossiersList(): void }).mountDossiersList(); });
    await page.getByRole("heading", { name: "Invitations à des espaces de travail" }).waitFor();
    await page.getByText("Vous n'êtes encore membre d'aucun espace de travail : acceptez une invitation ci-dessus.").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    const accept = page.getByRole("button", { name: "Accepter l'invitation à l'espace de travail Coopération inter-collectivités" });
    await accept.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Dossiers — Coopération inter-collectivités" }).waitFor();
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { dossiersJoined: string[] }).dossiersJoined), ["!coop:ville-a"]);
    await page.getByRole("button", { name: "Accepter l'invitation au dossier Convention de mutualisation" }).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Invitations à des espaces de travail" }).count(), 0);
  });
});
