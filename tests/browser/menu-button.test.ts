// <ent-menu-button> (client/src/ui/shared/menu-button.ts) alone in Chromium, bundled with
// rolldown into a blank page: the WAI-ARIA APG menu button's keyboard and pointer behaviour
// (open on the first or last item, arrows wrapping, Home/End, type-ahead, Escape and Tab close,
// a click outside closes, the chosen item runs once with the focus back on the button), an item
// not allowed (aria-disabled, its reason as description, never run), and axe with the menu open.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { bundleForPage } from "../harness/fixture-bundle.ts";

const ENTRY = join(import.meta.dirname, "../../client/src/ui/shared/menu-button.ts");

/** The accessible name (aria-label, else text) of the element that has the focus, through shadow roots. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    interface El { shadowRoot: { activeElement: El | null } | null; getAttribute(n: string): string | null; textContent: string | null; id: string }
    let el = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el === null ? "" : el.getAttribute("aria-label") ?? (el.id !== "" ? `#${el.id}` : (el.textContent ?? "").trim());
  });
}

describe("menu button (WAI-ARIA APG) in Chromium", function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  const button = (): ReturnType<Page["getByRole"]> => page.getByRole("button", { name: "Actions pour acte.pdf" });
  const expanded = async (): Promise<string | null> => button().getAttribute("aria-expanded");
  const ran = async (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { ran: string[] }).ran);

  before(async () => {
    const code = await bundleForPage(ENTRY);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Menu</title></head><body><main>
      <button id="before">Avant</button> <ent-menu-button label="Actions pour acte.pdf" text="Actions"></ent-menu-button> <button id="after">Après</button>
      <p id="outside" style="height: 300px">Ailleurs</p></main></body></html>`);
    await page.addScriptTag({ content: code });
    await page.evaluate(() => {
      const g = globalThis as unknown as { ran: string[]; keysOutside: string[]; document: { querySelector(s: string): { items: unknown } & { addEventListener(t: string, f: (e: { key: string }) => void): void } } };
      g.ran = [];
      g.keysOutside = [];
      const run = (what: string) => (origin: { getAttribute(n: string): string | null }) => { g.ran.push(`${what} from ${origin.getAttribute("aria-label") ?? "?"}`); };
      const menu = g.document.querySelector("ent-menu-button");
      menu.items = [
        { label: "Nouvelle version de acte.pdf", text: "Nouvelle version", run: run("version") },
        { label: "Renommer acte.pdf", text: "Renommer", run: run("rename") },
        { label: "Déplacer acte.pdf", text: "Déplacer…", run: run("move") },
        { label: "Supprimer acte.pdf", text: "Supprimer", disabledReason: "Seuls les modérateurs peuvent supprimer.", run: run("delete") },
      ];
      g.document.querySelector("main").addEventListener("keydown", (e) => { g.keysOutside.push(e.key); });
    });
  });
  after(async () => { await browser?.close(); });

  it("opens from the keyboard on the first item (Enter, Space, Down) or the last (Up); arrows wrap, Home/End, type-ahead; Escape gives the focus back", async () => {
    assert.equal(await expanded(), "false");
    assert.equal(await page.getByRole("menuitem").count(), 0, "closed: no item exposed");
    await page.locator("#before").focus();
    await page.keyboard.press("Tab");
    assert.equal(await focused(page), "Actions pour acte.pdf");
    for (const key of ["Enter", "Space", "ArrowDown"]) {
      await page.keyboard.press(key);
      assert.equal(await expanded(), "true", key);
      assert.equal(await focused(page), "Nouvelle version de acte.pdf", `${key}: first item`);
      await page.keyboard.press("Escape");
      assert.equal(await expanded(), "false", `${key}: Escape closes`);
      assert.equal(await focused(page), "Actions pour acte.pdf", "Escape: focus back on the button");
    }
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(page), "Supprimer acte.pdf", "Up: last item");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "Nouvelle version de acte.pdf", "Down wraps");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(page), "Supprimer acte.pdf", "Up wraps");
    await page.keyboard.press("Home");
    assert.equal(await focused(page), "Nouvelle version de acte.pdf");
    await page.keyboard.press("End");
    assert.equal(await focused(page), "Supprimer acte.pdf");
    await page.keyboard.press("r");
    assert.equal(await focused(page), "Renommer acte.pdf", "type-ahead");
    await page.getByRole("menu", { name: "Actions pour acte.pdf" }).waitFor();
    const box = await page.getByRole("menu", { name: "Actions pour acte.pdf" }).boundingBox();
    assert.ok(box !== null && box.x >= 0 && box.y > 0, `the menu is inside the window (button near its left side): ${JSON.stringify(box)}`);
    assert.deepEqual(await seriousA11yViolations(page), [], "menu open: axe clean");
    await screenshot(page, "menu-button-open");
    await page.keyboard.press("Escape");
    const outside = await page.evaluate(() => (globalThis as unknown as { keysOutside: string[] }).keysOutside);
    assert.deepEqual(outside.filter((k) => k.startsWith("Arrow") || k === "Home" || k === "End"), [], "the keys the menu handles do not reach the page");
    assert.deepEqual(await ran(), [], "moving runs nothing");
  });

  it("Enter on an item runs it once with the menu closed and the focus on the button; a disabled item stays, described, and never runs", async () => {
    await button().focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.equal(await expanded(), "false");
    assert.equal(await focused(page), "Actions pour acte.pdf");
    assert.deepEqual(await ran(), ["rename from Actions pour acte.pdf"]);

    await page.keyboard.press("ArrowUp");
    const del = page.getByRole("menuitem", { name: "Supprimer acte.pdf" });
    assert.equal(await del.getAttribute("aria-disabled"), "true");
    assert.equal(await del.evaluate((el) => {
      const id = el.getAttribute("aria-describedby") ?? "";
      return (el.getRootNode() as unknown as { getElementById(i: string): { textContent: string } | null }).getElementById(id)?.textContent ?? "";
    }), "Seuls les modérateurs peuvent supprimer.", "the reason is the item's description");
    await page.keyboard.press("Enter");
    await del.click({ force: true }); // aria-disabled: Playwright would wait for it to be enabled
    assert.deepEqual(await ran(), ["rename from Actions pour acte.pdf"], "a disabled item does not run");
    assert.equal(await expanded(), "true", "and leaves the menu open");
    await page.keyboard.press("Escape");
  });

  it("Tab closes and moves on; a click outside closes; the mouse opens, chooses and toggles", async () => {
    await button().focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    assert.equal(await expanded(), "false", "Tab closes");
    assert.equal(await focused(page), "#after", "the focus goes on after the button");

    await button().click();
    assert.equal(await expanded(), "true");
    assert.equal(await focused(page), "Nouvelle version de acte.pdf");
    await page.locator("#outside").click();
    assert.equal(await expanded(), "false", "a click outside closes");

    await button().click();
    await page.getByRole("menuitem", { name: "Déplacer acte.pdf" }).click();
    assert.equal(await expanded(), "false");
    assert.deepEqual((await ran()).slice(-1), ["move from Actions pour acte.pdf"]);
    await button().click();
    await button().click();
    assert.equal(await expanded(), "false", "the button toggles");
  });
});
