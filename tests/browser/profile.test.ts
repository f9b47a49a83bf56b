// « Mon profil » in the web client (Chromium, a real homeserver): the agent had no way to set the
// display name every room shows, nor the time zone (`m.tz`) the tasks bot, the digest, « Mes
// tâches » and the calendar read (tests set it through the API). The top bar's button names the
// agent and opens a modal dialog: the name (empty refused), the zone (French zones first); only
// what changed is sent, and the server's profile holds it.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient } from "../harness/client-pages.ts";

const A = "ville-a.test";

describe("web client: « Mon profil » sets the display name and the time zone (Chromium)", function () {
  this.timeout(180_000);
  const app = useCouncilsClient([A]);
  let page: Page | undefined;
  screenshotOnFailure("profile", () => page);

  it("names the agent in the top bar, saves a new name and m.tz on the server, refuses an empty name", async () => {
    const url = app.fed.get(A).url;
    const anne = await registerUser(url, "anne");
    page = await openSignedIn(app.browser, app.web.url, url, anne);
    const open = page.locator("#profile-open");
    await open.waitFor({ timeout: 60_000 });
    await waitFor("the profile read", async () => ((await open.isEnabled()) ? true : undefined), 30_000);
    await open.click();
    const dialog = page.getByRole("dialog", { name: "Mon profil" });
    await dialog.getByText(anne.userId).waitFor();
    const name = dialog.getByLabel("Nom affiché");
    const zone = dialog.getByLabel("Fuseau horaire");
    assert.equal(await zone.inputValue(), "Europe/Paris", "unset: Europe/Paris, as the bots read it");
    const french = await zone.locator("optgroup").first().locator("option").allTextContents();
    assert.deepEqual(french.slice(0, 2), ["Europe/Paris", "America/Guadeloupe"]);
    assert.ok(french.includes("Indian/Reunion") && french.includes("Pacific/Noumea"));
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "profile-dialog");
    // axe-core did not see it: the dialog, in the dark top bar, first inherited its white text.
    assert.equal(await dialog.getByRole("heading", { name: "Mon profil" }).evaluate((h) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(h).color), "rgb(27, 31, 36)");
    await name.fill("   ");
    await dialog.getByRole("button", { name: "Enregistrer" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Le nom affiché ne peut pas être vide." }).waitFor();
    await name.fill("Anne Dupont");
    await zone.selectOption("America/Cayenne");
    await dialog.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByRole("button", { name: "Mon profil : Anne Dupont" }).waitFor({ timeout: 30_000 });
    assert.equal(await dialog.isVisible(), false, "closed once saved");
    const me = encodeURIComponent(anne.userId);
    assert.equal((await api(url, anne, "GET", `/profile/${me}/displayname`))["displayname"], "Anne Dupont");
    assert.equal((await api(url, anne, "GET", `/profile/${me}/m.tz`))["m.tz"], "America/Cayenne");
    // Opened again (after a reload: read from the server), it shows what was saved.
    await page.reload();
    await page.getByRole("button", { name: "Mon profil : Anne Dupont" }).click({ timeout: 60_000 });
    assert.equal(await page.getByRole("dialog", { name: "Mon profil" }).getByLabel("Fuseau horaire").inputValue(), "America/Cayenne");
    await page.keyboard.press("Escape");
    assert.equal(await page.locator("#profile-open").evaluate((b) => b === (b.getRootNode() as unknown as { activeElement: unknown }).activeElement), true, "focus back on the button");
  });
});
