// The dossier's « Exporter pour archivage » panel in Chromium (<ent-archive-export> bundled alone:
// tests/browser/fixtures/archive-panel.ts): an agent below the level the share service requires
// (the room's moderator level) gets the button disabled with why and what to do, before any work
// (the export used to read and decrypt the whole dossier, then be refused by the service); at the
// level, or when it is not known, the button starts the export. axe clean.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";

describe("dossier archive export: the panel says who may export (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("archive-panel", () => page);

  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Archivage</title></head><body><main></main></body></html>`);
    await page.addScriptTag({ content: await bundleForPage(join(import.meta.dirname, "fixtures/archive-panel.ts")) });
  });
  after(async () => { await browser?.close(); });

  const mount = (needed?: number, mine?: number): Promise<void> => page.evaluate(([n, m]) => {
    (globalThis as unknown as { mountArchivePanel(n?: number, m?: number): void }).mountArchivePanel(n ?? undefined, m ?? undefined);
  }, [needed ?? null, mine ?? null] as const);
  const runs = (): Promise<number> => page.evaluate(() => (globalThis as unknown as { archiveRuns: number }).archiveRuns);

  it("below the moderator level: disabled, described by the levels and whom to ask; nothing runs", async () => {
    await mount(50, 0);
    const button = page.getByRole("button", { name: "Exporter pour archivage" });
    await button.waitFor();
    assert.equal(await button.isDisabled(), true);
    const why = "Réservé aux modérateurs de ce dossier (niveau 50 ; le vôtre : 0) : demandez à l'un d'eux de faire l'export, ou de vous donner ce rôle.";
    await page.getByText(why).waitFor();
    const described = await button.evaluate((b) => (b.getAttribute("aria-describedby") ?? "").split(" ").map((id: string) => (b.getRootNode() as unknown as { getElementById(i: string): { textContent: string | null } | null }).getElementById(id)?.textContent ?? "").join(" "));
    assert.ok(described.startsWith(why), described);
    await button.click({ force: true });
    assert.equal(await runs(), 0);
    assert.deepEqual(await seriousA11yViolations(page), []);
  });

  it("at the level, or with the level unknown: the button starts the export", async () => {
    await mount(50, 50);
    await page.getByRole("button", { name: "Exporter pour archivage" }).click();
    await page.getByText("Lecture des messages…").waitFor();
    assert.equal(await runs(), 1);
    await mount();
    await page.getByRole("button", { name: "Exporter pour archivage" }).click();
    assert.equal(await runs(), 2);
  });
});
