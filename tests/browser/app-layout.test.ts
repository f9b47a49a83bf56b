// The client's frame in Chromium: whatever the height of the top bar (it wraps on narrow screens,
// or when the notifications toggle shows its message), the page itself never scrolls and the room's
// composer stays entirely on screen. Before the fix, the layout was 100vh minus a fixed 2.8rem: a
// two-line top bar pushed the composer's lower part off screen. And the sign-in hint's example.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { saveRecoveryKey, signIn, useCouncilsClient } from "../harness/client-pages.ts";
import { screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";

const A = "ville-a.test";

type Box = { top: number; bottom: number; left: number; right: number; name: string };

/** The page's scroll height and the bottom of the send button, against the viewport's height. */
async function frame(page: Page): Promise<{ scrollHeight: number; innerHeight: number; sendBottom: number }> {
  const send = await page.getByRole("button", { name: "Envoyer" }).boundingBox();
  const { scrollHeight, innerHeight } = await page.evaluate(() => {
    const g = globalThis as unknown as { innerHeight: number; document: { documentElement: { scrollHeight: number } } };
    return { scrollHeight: g.document.documentElement.scrollHeight, innerHeight: g.innerHeight };
  });
  return { scrollHeight, innerHeight, sendBottom: send === null ? Infinity : send.y + send.height };
}

describe("web client in Chromium: the frame fits the window", function () {
  this.timeout(180_000);
  const suite = useCouncilsClient([A], { users: { anne: A } });
  let page: Page | undefined;
  screenshotOnFailure("app-layout", () => page);

  it("gives the sign-in hint's full id example on the council picked (not a made-up ville-a.fr)", async () => {
    const p = await suite.newPage({ locale: "fr-FR" });
    await p.goto(suite.web.url);
    await p.locator("#user-hint", { hasText: `Par exemple agent1, ou @agent1:${A}` }).waitFor({ timeout: 30_000 });
    await p.getByLabel("Votre collectivité").selectOption("");
    await p.locator("#user-hint", { hasText: "@agent1:ville-a.fr" }).waitFor({ timeout: 30_000 });
  });

  it("keeps the composer on screen with a one- or two-line top bar", async () => {
    page = await suite.newPage({ locale: "fr-FR", viewport: { width: 1280, height: 800 } });
    await signIn(page, suite.web.url, undefined, "anne");
    await saveRecoveryKey(page);
    await page.getByRole("button", { name: "Nouveau salon" }).click();
    await page.getByRole("dialog").getByRole("textbox", { name: "Nom" }).fill("Voirie");
    await page.getByRole("dialog").getByRole("button", { name: "Créer" }).click();
    await page.getByRole("heading", { name: "Voirie", level: 1 }).waitFor({ timeout: 60_000 });
    for (const viewport of [{ width: 1280, height: 800 }, { width: 900, height: 640 }]) {
      await page.setViewportSize(viewport);
      const top = await page.locator("header.top").first().boundingBox();
      const f = await frame(page);
      const what = `${viewport.width}x${viewport.height}, top bar ${top?.height ?? "?"} px: ${JSON.stringify(f)}`;
      assert.ok(f.scrollHeight <= f.innerHeight, `the page scrolls (${what})`);
      assert.ok(f.sendBottom <= f.innerHeight, `the send button is cut off (${what})`);
    }
  });

  it("opens « Mes widgets » under the top bar, covering none of its controls, on one or two lines", async () => {
    const p = page;
    assert.ok(p !== undefined, "the previous test's page");
    for (const viewport of [{ width: 1280, height: 800 }, { width: 900, height: 640 }]) {
      await p.setViewportSize(viewport);
      await p.getByRole("button", { name: "Mes widgets" }).click();
      await p.getByRole("heading", { name: "Mes widgets", level: 2 }).waitFor();
      const r: { bar: Box | undefined; aside: Box | undefined; controls: Box[] } = await p.evaluate(() => {
        type El = { shadowRoot: { querySelector(s: string): El | null } | null; children: ArrayLike<El>; tagName: string; textContent: string | null; getBoundingClientRect(): { top: number; bottom: number; left: number; right: number; width: number } };
        const shell = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document.querySelector("ent-app");
        const bar = shell?.shadowRoot?.querySelector("header.top");
        const widgets = shell?.shadowRoot?.querySelector("ent-account-widgets");
        const aside = widgets?.shadowRoot?.querySelector("aside");
        const box = (e: El, name: string): Box => { const b = e.getBoundingClientRect(); return { top: b.top, bottom: b.bottom, left: b.left, right: b.right, name }; };
        // The bar's controls; « Mes widgets » itself is display: contents, so its toggle button.
        const controls = Array.from(shell?.shadowRoot?.querySelector("header.top .me")?.children ?? [])
          .map((e) => (e.tagName === "ENT-ACCOUNT-WIDGETS" ? e.shadowRoot?.querySelector("#my-widgets-toggle") ?? e : e))
          .filter((e) => e.getBoundingClientRect().width > 0)
          .map((e) => box(e, `${e.tagName} ${(e.textContent ?? "").trim().slice(0, 30)}`));
        return { bar: bar ? box(bar, "bar") : undefined, aside: aside ? box(aside, "aside") : undefined, controls };
      });
      const what = `${viewport.width}x${viewport.height}: ${JSON.stringify(r)}`;
      assert.ok(r.bar !== undefined && r.aside !== undefined && r.controls.length >= 4, what);
      assert.ok(r.aside.top >= r.bar.bottom - 0.5, `the panel starts above the top bar's bottom (${what})`);
      const aside = r.aside;
      const covered = r.controls.filter((c) => c.left < aside.right && c.right > aside.left && c.top < aside.bottom && c.bottom > aside.top);
      assert.deepEqual(covered.map((c) => c.name), [], what);
      await p.locator("#my-widgets-close").click();
    }
  });

  it("gives the room list the whole height beside a dossier", async () => {
    const p = page;
    assert.ok(p !== undefined, "the previous test's page");
    await p.setViewportSize({ width: 1280, height: 800 });
    await p.getByRole("button", { name: "Nouvel espace de travail" }).click();
    await p.getByRole("dialog").getByRole("textbox", { name: "Nom" }).fill("Mutualisation");
    await p.getByRole("dialog").getByRole("button", { name: "Créer" }).click();
    await p.getByRole("link", { name: "Dossiers" }).click();
    await p.getByRole("textbox", { name: "Nom du dossier" }).fill("Plans");
    await p.getByRole("button", { name: /Nouveau dossier dans/ }).click();
    await p.getByLabel("Ajouter des fichiers").waitFor({ timeout: 60_000 });
    // With rows in it the dossier fills its cell: the leftover height went to the grid's second row.
    for (const name of ["a.txt", "b.txt", "c.txt"]) {
      await p.getByLabel("Ajouter des fichiers").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(name) });
      await p.locator("ent-dossier").getByText(name, { exact: true }).first().waitFor({ timeout: 60_000 });
    }
    const list = await p.locator("ent-room-list").boundingBox();
    const innerHeight = await p.evaluate(() => (globalThis as unknown as { innerHeight: number }).innerHeight);
    assert.ok(list !== null && Math.abs(list.y + list.height - innerHeight) < 1, `room list ends at ${list === null ? "?" : list.y + list.height}, window ${innerHeight}`);
  });

  it("« Aller au contenu » first in the tab order (RGAA 12.7); a room opened from the list takes focus on its heading", async () => {
    const p = page;
    assert.ok(p !== undefined, "the previous test's page");
    // The focused element across shadow roots: tag and text.
    const focused = (): Promise<string> => p.evaluate(() => {
      type El = { tagName: string; textContent: string | null; shadowRoot: { activeElement: El | null } | null };
      let e = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
      while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement;
      return e === null ? "" : `${e.tagName} ${(e.textContent ?? "").trim()}`;
    });
    const hash = (): Promise<string> => p.evaluate("location.hash");
    // From the dossier: the first Tab shows the skip link, Enter puts focus on the dossier's heading.
    const before = await hash();
    await p.reload();
    await p.getByRole("heading", { name: /Plans/, level: 1 }).waitFor({ timeout: 60_000 });
    await p.keyboard.press("Tab");
    const skip = p.getByRole("link", { name: "Aller au contenu" });
    assert.equal(await focused(), "A Aller au contenu");
    const box = await skip.boundingBox();
    assert.ok(box !== null && box.y >= 0, `visible when focused: ${JSON.stringify(box)}`);
    await p.keyboard.press("Enter");
    assert.match(await focused(), /^H1 .*Plans/);
    assert.equal(await hash(), before, "the address stays the dossier's");
    // The room list: Enter on a room opens it and focus goes to its heading.
    await p.locator("ent-room-list").getByRole("link", { name: /Voirie/ }).focus();
    await p.keyboard.press("Enter");
    await p.getByRole("heading", { name: "Voirie", level: 1 }).waitFor();
    await p.waitForFunction(() => {
      type El = { tagName: string; id: string; shadowRoot: { activeElement: El | null } | null };
      let e = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
      while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement;
      return e?.id === "room-title";
    }, undefined, { timeout: 30_000 });
    assert.match(await focused(), /^H1 .*Voirie/);
    assert.deepEqual(await seriousA11yViolations(p), []);
  });
});
