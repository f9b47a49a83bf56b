// The client's file fields in Chromium (tests/browser/fixtures/file-pickers.ts bundled with rolldown
// into a blank French page) and the citizen's reply page, served by the real share service (its
// script run: chosen name, drop on the form, French error on an empty submit): none shows the
// browser's own « Choose File(s) / No file chosen » (every real file input is visually hidden), each
// is named by our words, reached with Tab, shows a focus ring on its button, opens the chooser with
// Enter (Playwright's filechooser event) and hands the picked file on; axe finds nothing serious.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { registerUser, startTestHomeserver } from "../harness/homeserver.ts";
import { startShareService } from "../../appservices/share/src/share-server.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";


interface FileInputFacts { id: string; width: number; height: number; opacity: string; clipPath: string }

/** Every <input type=file> of the page, through open shadow roots, with its drawn box. */
async function fileInputs(page: Page): Promise<FileInputFacts[]> {
  return page.evaluate(() => {
    interface Node { querySelectorAll(s: string): Iterable<El> }
    interface El extends Node { shadowRoot: Node | null; id: string; type?: string; getBoundingClientRect(): { width: number; height: number } }
    const g = globalThis as unknown as { document: Node; getComputedStyle(e: El): { opacity: string; clipPath: string } };
    const out: FileInputFacts[] = [];
    const walk = (root: Node): void => {
      for (const el of root.querySelectorAll("*")) {
        if (el.type === "file") {
          const r = el.getBoundingClientRect();
          const s = g.getComputedStyle(el);
          out.push({ id: el.id, width: r.width, height: r.height, opacity: s.opacity, clipPath: s.clipPath });
        }
        if (el.shadowRoot !== null) walk(el.shadowRoot);
      }
    };
    walk(g.document);
    return out;
  });
}

/** The id of the focused element, through shadow roots, and the outline of the label drawn for it. */
async function focusFacts(page: Page): Promise<{ id: string; labelOutline: string }> {
  return page.evaluate(() => {
    interface El { shadowRoot: { activeElement: El | null } | null; id: string; labels: ArrayLike<El> | null }
    const g = globalThis as unknown as { document: { activeElement: El | null }; getComputedStyle(e: El): { outlineStyle: string; outlineWidth: string } };
    let el = g.document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const label = el?.labels?.[0];
    const s = label !== undefined ? g.getComputedStyle(label) : undefined;
    return { id: el?.id ?? "", labelOutline: s === undefined ? "" : `${s.outlineStyle} ${s.outlineWidth}` };
  });
}

/**
 * Keeps Playwright's file chooser interception on for the page's whole life: with it switched on
 * only by each waitForEvent (and off again after), a key press could reach the page first and the
 * chooser open unseen (headless: nothing happens).
 */
function interceptChoosers(page: Page): void {
  page.on("filechooser", () => undefined);
}

const picked = async (page: Page): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { picked: string[] }).picked);

function assertHidden(inputs: FileInputFacts[], expected: number): void {
  assert.equal(inputs.length, expected, `file inputs found: ${JSON.stringify(inputs)}`);
  for (const i of inputs) {
    assert.ok((i.width <= 1 && i.height <= 1) || i.opacity === "0" || i.clipPath === "inset(50%)", `#${i.id} is drawn by the browser (${i.width}×${i.height}, opacity ${i.opacity}, clip-path ${i.clipPath}): its own English label shows`);
  }
}

/**
 * Tab from `before` (the page's start if undefined) lands on the file input `id`, whose button
 * shows the focus; `key` opens the chooser (Space in a form: there Enter submits it, as Chromium
 * does for its own file inputs); `file` is picked.
 */
async function pickByKeyboard(page: Page, before: Locator | undefined, id: string, file: string, key = "Enter"): Promise<void> {
  if (before !== undefined) await before.focus();
  await page.keyboard.press("Tab");
  const f = await focusFacts(page);
  assert.equal(f.id, id, `Tab from ${before} reaches the file field`);
  assert.match(f.labelOutline, /^solid [1-9]/, `#${id}'s button shows the keyboard focus (${f.labelOutline})`);
  const [chooser] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }), page.keyboard.press(key)]);
  await chooser.setFiles({ name: file, mimeType: "text/plain", buffer: Buffer.from(file) });
}

describe("file fields in our words (Chromium)", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  screenshotOnFailure("file-picker", () => page);

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); });

  it("client: dossier toolbar, interrupted upload, new room dialog and room image: hidden inputs, our names, keyboard chooser, axe clean", async () => {
    const code = await bundleForPage(join(import.meta.dirname, "fixtures/file-pickers.ts"));
    page = await browser.newPage({ locale: "en-US" });
    interceptChoosers(page);
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Fichiers</title></head><body><main>
      <test-dossier-fields></test-dossier-fields></main></body></html>`);
    await page.addScriptTag({ content: code });
    await page.getByLabel("Ajouter des fichiers", { exact: true }).waitFor({ state: "attached" });
    assertHidden(await fileInputs(page), 2);
    // the visible words are ours: the label drawn as a button
    await page.getByText("Ajouter des fichiers", { exact: true }).waitFor();
    assert.doesNotMatch(await page.locator("main").ariaSnapshot(), /Choose File|No file chosen/i);

    // the toolbar's file field follows « Nouveau sous-dossier » in the tab order
    await pickByKeyboard(page, page.getByRole("button", { name: "Nouveau sous-dossier" }), "files", "note.txt");
    await page.getByRole("button", { name: "Abandonner l'envoi de budget.ods" }).waitFor({ state: "attached" });
    const resume = page.getByLabel("Reprendre l'envoi de budget.ods (choisissez le même fichier)");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }), resume.press("Space")]);
    await chooser.setFiles({ name: "budget.ods", mimeType: "text/plain", buffer: Buffer.from("b") });
    // a click on the drawn button opens the chooser too
    const [byClick] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }), page.getByText("Ajouter des fichiers", { exact: true }).click()]);
    assert.equal(byClick.isMultiple(), true, "several files at once in the toolbar");
    await byClick.setFiles([{ name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("a") }, { name: "b.txt", mimeType: "text/plain", buffer: Buffer.from("b") }]);
    assert.deepEqual(await picked(page), ["files: note.txt", "resume: budget.ods", "files: a.txt, b.txt"]);
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.evaluate(() => { (globalThis as unknown as { mountRoomFields(): void }).mountRoomFields(); });
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Aucune image choisie").waitFor();
    assertHidden(await fileInputs(page), 4);
    await dialog.getByLabel("Nom", { exact: true }).fill("Voirie");
    // the dialog's image field follows the encryption box
    await pickByKeyboard(page, dialog.getByRole("checkbox"), "avatar", "voirie.png", "Space");
    await dialog.getByText("voirie.png", { exact: true }).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), [], "axe with the dialog open");
    await dialog.getByRole("button", { name: "Créer" }).click();
    await page.getByLabel("Changer l'image du salon", { exact: true }).waitFor({ state: "attached" });
    const [settings] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }), page.getByLabel("Changer l'image du salon", { exact: true }).press("Enter")]);
    await settings.setFiles({ name: "bleu.png", mimeType: "image/png", buffer: Buffer.from("png") });
    assert.deepEqual((await picked(page)).slice(3), ["new room image: voirie.png", "room image: bleu.png"]);
    assert.doesNotMatch(await page.locator("body").ariaSnapshot(), /Choose File|No file chosen/i);
    assert.deepEqual(await seriousA11yViolations(page), []);

    // the composer: its hidden input is out of the tab order, the 📎 button opens the chooser
    await page.evaluate(() => { (globalThis as unknown as { mountComposer(): void }).mountComposer(); });
    await page.getByRole("button", { name: "Joindre un fichier" }).waitFor();
    assertHidden(await fileInputs(page), 5);
    await page.locator("#before-composer").focus();
    await page.keyboard.press("Tab");
    const attach = page.getByRole("button", { name: "Joindre un fichier" });
    assert.equal(await attach.evaluate((b) => (b.getRootNode() as unknown as { activeElement: unknown }).activeElement === b), true, "Tab goes to the visible 📎 button, not to an invisible input");
    const [inComposer] = await Promise.all([page.waitForEvent("filechooser", { timeout: 5_000 }), page.keyboard.press("Enter")]);
    await inComposer.setFiles({ name: "plan.txt", mimeType: "text/plain", buffer: Buffer.from("plan") });
    await page.waitForFunction(() => (globalThis as unknown as { picked: string[] }).picked.includes("composer: plan.txt"));
    assert.deepEqual(await seriousA11yViolations(page), [], "axe with the composer");
    await page.close();
  });

  it("share service: the citizen's reply page (served by the real service) has a French file field: keyboard, chosen name, drop, French error on an empty submit, axe clean", async () => {
    const hs = await startTestHomeserver();
    const dir = mkdtempSync(join(tmpdir(), "entente-file-picker-"));
    const svc = await startShareService({ dataDir: join(dir, "shares"), homeserverUrl: hs.url });
    try {
      const agent = await registerUser(hs.url, "agent");
      const res = await fetch(`${svc.url}/api/drops?expires_in_hours=24`, { method: "POST", headers: { Authorization: `Bearer ${agent.accessToken}` } });
      assert.equal(res.status, 201);
      const { url } = (await res.json()) as { url: string };
      // bypassCSP: the page's CSP (script-src 'self') would refuse axe's injected script
      page = await (await browser.newContext({ locale: "en-US", bypassCSP: true })).newPage();
      interceptChoosers(page);
      await page.goto(`${url}#${randomBytes(18).toString("base64url")}`);
      await page.getByText("Choisir le document à envoyer", { exact: true }).waitFor();
      assertHidden(await fileInputs(page), 1);
      await page.locator("#file-chosen").getByText("Aucun document choisi").waitFor();
      // submitted with nothing chosen (requestSubmit: the focus stays at the page's start for the Tab below)
      await page.locator("#form").evaluate((f) => { (f as unknown as { requestSubmit(): void }).requestSubmit(); });
      await page.locator("#error").getByText("Choisissez d'abord le document à envoyer.").waitFor();
      await pickByKeyboard(page, undefined, "file", "justificatif.pdf", "Space");
      await page.locator("#file-chosen").getByText("justificatif.pdf", { exact: true }).waitFor();
      // a document dropped on the form is taken (the hidden input gets no drop itself)
      await page.locator("#form").evaluate((form) => {
        const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (b: string[], n: string) => unknown; DragEvent: new (t: string, o: unknown) => unknown };
        const dt = new g.DataTransfer();
        dt.items.add(new g.File(["avis"], "avis-imposition.pdf"));
        (form as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new g.DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await page.locator("#file-chosen").getByText("avis-imposition.pdf", { exact: true }).waitFor();
      assert.equal(await page.locator("#file").evaluate((e) => (e as unknown as { files: { 0?: { name: string } } }).files[0]?.name), "avis-imposition.pdf");
      assert.doesNotMatch(await page.locator("body").ariaSnapshot(), /Choose File|No file chosen/i);
      assert.deepEqual(await seriousA11yViolations(page), []);
      await page.context().close();
    } finally {
      await svc.close();
      await hs.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
