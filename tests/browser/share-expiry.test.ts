// The citizen share dialog's expiry in Chromium (<ent-dossier-share> bundled with stand-in ports:
// tests/browser/fixtures/share-dialog.ts; the real service's side of `expires_at` and /api/limits
// is appservices/share/src/share-service.test.ts, the whole path tests/browser/dossier-share.test.ts):
// presets within the service's limit (240 h: no « 30 jours »), the date said back in full, a chosen
// date and time refused in French when past or beyond the limit (focus on the field, described by
// the error), a download count beyond the limit refused, then the chosen minute sent as expiresAt
// and shown back in the list of shares; axe clean.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";

const DAY = 86_400_000;

const two = (n: number): string => String(n).padStart(2, "0");
/** A date-and-time field's value in the local zone (Chromium runs in this machine's zone too). */
const fieldValue = (d: Date): string => `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
const longFr = (d: Date): string => new Intl.DateTimeFormat("fr-FR", { dateStyle: "full" }).format(d);

/** The id of the focused element, through shadow roots. */
const focusedId = (page: Page): Promise<string> => page.evaluate(() => {
  interface El { shadowRoot: { activeElement: El | null } | null; id: string }
  let el = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el?.id ?? "";
});

describe("citizen share expiry: presets and a chosen date (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("share-expiry", () => page);

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); });

  it("offers the presets the service allows, refuses a past or too distant date and too many downloads in French, sends the chosen minute and lists it", async () => {
    const code = await bundleForPage(join(import.meta.dirname, "fixtures/share-dialog.ts"));
    page = await browser.newPage({ locale: "en-US" });
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Partage</title></head><body><main><button id="opener">Partager</button></main></body></html>`);
    await page.addScriptTag({ content: code });
    await page.evaluate(() => { (globalThis as unknown as { openShare(): void }).openShare(); });
    const dialog = page.getByRole("dialog", { name: "Partager « acte.pdf » avec un citoyen" });
    const group = dialog.getByRole("group", { name: "Durée de validité du lien" });
    await group.waitFor();
    assert.deepEqual(await group.getByRole("radio").evaluateAll((rs) => rs.map((r) => (r as unknown as { parentElement: { textContent: string } }).parentElement.textContent.trim())),
      ["24 heures", "7 jours", "Jusqu'à une date choisie"], "no « 30 jours » beyond the service's 240 hours");
    assert.equal(await group.getByRole("radio", { name: "7 jours" }).isChecked(), true);
    await dialog.getByText(`Le lien expirera le ${longFr(new Date(Date.now() + 7 * DAY))}`).waitFor();

    // a chosen date: in the past, then beyond the service's 10 days
    await group.getByRole("radio", { name: "Jusqu'à une date choisie" }).check();
    const field = dialog.getByLabel("Date et heure d'expiration");
    await dialog.getByText(`Au plus tard le ${longFr(new Date(Date.now() + 10 * DAY))}`).waitFor();
    await field.fill("2020-01-06T10:00");
    await dialog.getByRole("button", { name: "Créer le lien" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Cette date est déjà passée : choisissez une date à venir." }).waitFor();
    assert.equal(await focusedId(page), "expiry-date", "the field takes the focus");
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.match(await field.getAttribute("aria-describedby") ?? "", /expiry-error/);
    assert.deepEqual(await seriousA11yViolations(page), [], "axe with the error shown");
    await field.fill(fieldValue(new Date(Date.now() + 11 * DAY)));
    await dialog.getByRole("button", { name: "Créer le lien" }).click();
    await dialog.getByRole("alert").filter({ hasText: /^Le service de partage n'accepte pas de lien valable après le .+ : choisissez une date plus proche\.$/ }).waitFor();

    // a date within the limit, but too many downloads for the service
    const chosen = new Date(Date.now() + 5 * DAY);
    chosen.setHours(17, 30, 0, 0);
    await field.fill(fieldValue(chosen));
    await dialog.getByText(`Le lien expirera le ${longFr(chosen)} à 17:30.`).waitFor();
    await dialog.getByLabel("Nombre de téléchargements autorisés").fill("9");
    await dialog.getByRole("button", { name: "Créer le lien" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Indiquez un nombre entier de téléchargements, de 1 à 5." }).waitFor();
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { shared: unknown[] }).shared), [], "nothing shared while the form is wrong");

    await dialog.getByLabel("Nombre de téléchargements autorisés").fill("2");
    await dialog.getByRole("button", { name: "Créer le lien" }).click();
    await dialog.getByText("Lien créé. Le mot de passe n'est affiché qu'une fois.").waitFor();
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { shared: unknown[] }).shared), [{ expiresAt: chosen.getTime(), maxDownloads: 2 }]);
    const shown = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short" }).format(chosen);
    await dialog.getByRole("table", { name: "Partages de acte.pdf" }).getByRole("cell", { name: shown, exact: true }).waitFor();
    assert.doesNotMatch(await dialog.ariaSnapshot(), /Please|Value must/);
    assert.deepEqual(await seriousA11yViolations(page), []);
  });
});
