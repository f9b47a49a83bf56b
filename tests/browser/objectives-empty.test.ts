// The objectives dashboard of a working group with no objective yet, in Chromium (<ent-objectives>
// bundled with a stand-in port: tests/browser/fixtures/objectives-empty.ts): it says what to do and
// who may, and offers « Créer le premier objectif » (keyboard, opens the creation dialog) when the
// agent's role allows it in a room; otherwise whom to ask with the level needed, or to make a room
// in the group first. axe clean.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";

describe("objectives dashboard: the empty state says what to do (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("objectives-empty", () => page);

  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Objectifs</title></head><body><main></main></body></html>`);
    await page.addScriptTag({ content: await bundleForPage(join(import.meta.dirname, "fixtures/objectives-empty.ts")) });
  });
  after(async () => { await browser?.close(); });

  const mount = (scenario: string): Promise<void> => page.evaluate((s) => { (globalThis as unknown as { mountObjectives(s: string): void }).mountObjectives(s); }, scenario);

  it("the agent may: how to create one, who may, and a button that opens the dialog from the keyboard", async () => {
    await mount("create");
    await page.getByText("Aucun objectif : créez le premier pour suivre l'avancement de ce groupe de travail.").waitFor();
    await page.getByText(/^Avec « Créer le premier objectif », choisissez le salon du groupe qui le portera/).waitFor();
    await page.getByText(/^Peuvent créer un objectif les membres d'un salon du groupe .* Le premier objectif d'un salon y met en place le suivi des objectifs : votre rôle le permet\.$/).waitFor();
    await page.getByRole("button", { name: "Exporter en CSV" }).focus();
    await page.keyboard.press("Tab");
    const first = page.getByRole("button", { name: "Créer le premier objectif" });
    assert.equal(await first.evaluate((b) => (b.getRootNode() as unknown as { activeElement: unknown }).activeElement === b), true, "next in the tab order");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Nouvel objectif" }).waitFor();
  });

  it("no room allows it: whom to ask, with the level needed and theirs; no button that would fail", async () => {
    await mount("forbidden");
    await page.getByText("Votre rôle ne permet de créer un objectif dans aucun salon de ce groupe (niveau 50 demandé, le vôtre : 0). Demandez à un modérateur ou à un administrateur du groupe de le créer, ou de vous donner ce rôle.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Créer le premier objectif" }).count(), 0);
    assert.deepEqual(await seriousA11yViolations(page), []);
  });

  it("« Objectifs » in one working group only: its dashboard at once (address replaced); in two: the choice", async () => {
    const chooser = (n: number): Promise<void> => page.evaluate((c) => { (globalThis as unknown as { mountObjectives(s: string, c: number): void }).mountObjectives("create", c); }, n);
    await page.evaluate('location.hash = "#/objectives"');
    const before = await page.evaluate("history.length");
    await chooser(2);
    await page.getByRole("navigation", { name: "Choisissez un espace de travail" }).getByRole("link").nth(1).waitFor();
    assert.equal(await page.evaluate("location.hash"), "#/objectives");
    await chooser(1);
    await page.waitForFunction(`location.hash === "#/objectives/${encodeURIComponent("!mobilites:a")}"`);
    assert.equal(await page.evaluate("history.length"), before, "replaced, not pushed: Back does not land on the chooser");
  });

  it("no room in the group: make one first", async () => {
    await mount("no-room");
    await page.getByText("Ce groupe de travail n'a encore aucun salon où porter un objectif : créez d'abord un salon dans le groupe (« Nouveau salon »), puis revenez ici.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Créer le premier objectif" }).count(), 0);
  });
});
