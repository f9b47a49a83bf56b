// The board draws 50 cards per column, then « Afficher n tâches de plus »: counts stay exact
// over every task (also filtered), the button works from the keyboard and puts focus on the first
// card it revealed, a keyboard move past the last card shown follows the card (the column shows
// it), and a drop below the shown cards lands after the last one shown, not after hidden ones.
// The board's code runs in Chromium over an in-memory port that echoes what it sends
// (fixtures/board-paging), built with Vite.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize, resolve } from "node:path";
import { build } from "vite";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium } from "../harness/browser.ts";
import { waitFor } from "../harness/homeserver.ts";

const ROOT = resolve(import.meta.dirname, "../..");
type Sent = { type: string; content: { set?: Record<string, unknown>; "m.relates_to"?: { event_id?: string } } };

describe("task board: cards per column and « Afficher n tâches de plus »", function () {
  this.timeout(120_000);
  let out = "";
  let server: Server;
  let browser: Browser;
  let url = "";
  before(async () => {
    out = mkdtempSync(join(tmpdir(), "entente-board-paging-"));
    await build({ logLevel: "error", configFile: false, root: join(ROOT, "tests/widgets/fixtures/board-paging"), base: "./", build: { outDir: out, emptyOutDir: true, target: "es2022" } });
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const file = normalize(join(out, path === "/" ? "index.html" : path));
      if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8" }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (out !== "") rmSync(out, { recursive: true, force: true });
  });

  // Tall enough for a dragged card and the bottom of a 51-card column to be on screen together.
  // The first page is there once « show more » is (the list's first frame has neither, see below).
  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 4800 } });
    await page.goto(url);
    await page.locator('section[data-column="todo"] button.more').waitFor({ timeout: 30_000 });
    return page;
  };
  const todo = (p: Page | Frame) => p.locator('section[data-column="todo"]');
  const titles = async (p: Page): Promise<string[]> => (await todo(p).locator("li.card button.open").allTextContents()).map((s) => s.trim());
  const sent = (p: Page): Promise<Sent[]> => p.evaluate(() => (globalThis as unknown as { __sent: Sent[] }).__sent);
  const focusedLabel = (p: Page): Promise<string | null> => p.evaluate(() => {
    let el = (globalThis as unknown as { document: { activeElement: { shadowRoot: unknown; getAttribute(n: string): string | null } | null } }).document.activeElement;
    while (el !== null && (el.shadowRoot as { activeElement: typeof el } | null)?.activeElement) el = (el.shadowRoot as { activeElement: typeof el }).activeElement;
    return el?.getAttribute("aria-label") ?? null;
  });

  it("draws the first 10 cards of each column in the list's first frame, then the first page of 50", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 4800 } });
    // Each frame, before the board's own callbacks of that frame: the cards of each column the
    // first time any card is in the DOM (the board renders the rest only after that frame is painted).
    await page.addInitScript(() => {
      type El = { shadowRoot: { querySelectorAll(s: string): ArrayLike<{ querySelectorAll(s: string): ArrayLike<unknown>; querySelector(s: string): unknown }> } | null };
      const w = globalThis as unknown as { __firstCards?: number[]; __firstMore?: boolean; requestAnimationFrame(f: () => void): void; document: { querySelector(s: string): El | null } };
      const poll = (): void => {
        const cols = Array.from(w.document.querySelector("entente-task-board")?.shadowRoot?.querySelectorAll("section.col") ?? []);
        const counts = cols.map((c) => c.querySelectorAll("li.card").length);
        if (counts.some((n) => n > 0)) {
          w.__firstCards = counts;
          w.__firstMore = cols.some((c) => c.querySelector("button.more") !== null);
        } else w.requestAnimationFrame(poll);
      };
      w.requestAnimationFrame(poll);
    });
    await page.goto(url);
    await page.locator('section[data-column="todo"] button.more').waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => { const w = globalThis as unknown as { __firstCards?: number[]; __firstMore?: boolean }; return { cards: w.__firstCards, more: w.__firstMore }; });
    assert.deepEqual(seen.cards?.slice(0, 2), [10, 3], "10 cards « À faire » of 130, the 3 « En cours »");
    assert.equal(seen.more, false, "no « show more » in the first frame");
    assert.equal(await todo(page).locator("li.card").count(), 50);
    await page.close();
  });

  it("shows 50 cards with the exact count, then the rest by keyboard with focus on the first new card; filters count every task", async () => {
    const page = await open();
    assert.match((await todo(page).locator("h2").textContent()) ?? "", /\(130 tâches\)/);
    assert.equal(await todo(page).locator("li.card").count(), 50);
    assert.deepEqual((await titles(page)).slice(0, 2), ["Tâche 1", "Tâche 2"]);
    const more = todo(page).locator("button.more");
    assert.equal((await more.textContent())?.trim(), "Afficher 80 tâches de plus (sur 130)");
    await more.focus();
    await page.keyboard.press("Enter");
    await waitFor("130 cards", async () => ((await todo(page).locator("li.card").count()) === 130 ? true : undefined));
    assert.equal(await more.count(), 0, "nothing left to show");
    assert.equal(await focusedLabel(page), "Ouvrir « Tâche 51 »");

    // Filtered on « voirie » (every other task): the count is over all 130, the first page is 50.
    const fresh = await open();
    await fresh.locator("#filter-label").selectOption("voirie");
    await waitFor("the filtered count", async () => (/\(65 tâches\)/.test((await todo(fresh).locator("h2").textContent()) ?? "") ? true : undefined));
    assert.equal(await todo(fresh).locator("li.card").count(), 50);
    assert.equal((await todo(fresh).locator("button.more").textContent())?.trim(), "Afficher 15 tâches de plus (sur 65)");
    assert.equal((await titles(fresh))[1], "Tâche 3");
    await page.close();
    await fresh.close();
  });

  it("follows a card moved down past the last one shown, and drops below the shown cards after the last one shown", async () => {
    const page = await open();
    const fiftieth = todo(page).locator("li.card").nth(49);
    assert.equal((await fiftieth.locator("button.open").textContent())?.trim(), "Tâche 50");
    await fiftieth.locator("button.move-down").focus();
    await page.keyboard.press("Enter");
    // The card is 51st now: the column shows it, focus stays on its "down" button.
    await waitFor("Tâche 50 after Tâche 51", async () => {
      const t = await titles(page);
      return t[49] === "Tâche 51" && t[50] === "Tâche 50" ? true : undefined;
    });
    await waitFor("focus on the moved card", async () => ((await focusedLabel(page))?.includes("Tâche 50") === true ? true : undefined));
    assert.equal(await todo(page).locator("li.card").count(), 51);

    // « En cours 1 » dropped on the « À faire » column below its cards: right after the last shown.
    const before = (await sent(page)).length;
    await page.locator('section[data-column="doing"] li.card', { hasText: "En cours 1" }).dragTo(todo(page).locator("button.more"));
    const drop = await waitFor("the drop's update", async () => (await sent(page)).slice(before).find((e) => e.content.set?.["column"] === "todo"));
    assert.equal(drop.content.set?.["status"], "todo");
    await waitFor("En cours 1 right after the last shown card", async () => {
      const t = await titles(page);
      return t.indexOf("En cours 1") === 51 ? true : undefined;
    });
    assert.match((await todo(page).locator("h2").textContent()) ?? "", /\(131 tâches\)/);
    await page.close();
  });
});
