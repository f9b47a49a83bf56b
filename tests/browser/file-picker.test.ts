// The client's file fields in Chromium (tests/browser/fixtures/file-pickers.ts bundled with rolldown
// into a blank French page) and the citizen's reply page of the share service: none shows the
// browser's own « Choose File(s) / No file chosen » (every real file input is visually hidden), each
// is named by our words, reached with Tab, shows a focus ring on its button, opens the chooser with
// Enter (Playwright's filechooser event) and hands the picked file on; axe finds nothing serious.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { launchChromium, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";

const ROOT = join(import.meta.dirname, "../..");

async function bundle(): Promise<string> {
  const { build } = await import("rolldown");
  const out = await build({ input: join(import.meta.dirname, "fixtures/file-pickers.ts"), write: false, cwd: ROOT, output: { format: "iife" } });
  return out.output[0].code;
}

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
    const code = await bundle();
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
    await page.close();
  });

  it("share service: the citizen's reply page has a French file field reached by the keyboard, axe clean", async () => {
    const dir = join(ROOT, "appservices/share/src/page");
    const [htmlText, css] = await Promise.all([readFile(join(dir, "drop.html"), "utf8"), readFile(join(dir, "page.css"), "utf8")]);
    page = await browser.newPage({ locale: "en-US" });
    interceptChoosers(page);
    // the page as served, its script left out (it needs the service); the form shown as the script does
    await page.setContent(htmlText.replace(/<link rel="stylesheet"[^>]*>/, `<style>${css}</style>`).replace(/<script[^>]*><\/script>/, "").replace("<form id=\"form\" hidden>", "<form id=\"form\">"));
    assertHidden(await fileInputs(page), 1);
    await page.getByText("Choisir le document à envoyer", { exact: true }).waitFor();
    await page.getByText("Aucun document choisi").waitFor();
    await pickByKeyboard(page, undefined, "file", "justificatif.pdf", "Space");
    assert.equal(await page.locator("#file").evaluate((e) => (e as unknown as { files: { length: number } }).files.length), 1);
    assert.doesNotMatch(await page.locator("body").ariaSnapshot(), /Choose File|No file chosen/i);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.close();
  });
});
