// « Accepter » on an invitation in the room list, in Chromium against a real homeserver. Two ways
// the press was lost or looked lost:
// - a federated join takes seconds; the button stayed « Accepter », enabled, with nothing said, so
//   an agent pressed it again (or, the list unchanged, pressed the next invitation's button
//   thinking it was this one). Now both buttons of that invitation wait, the pressed one says
//   « Acceptation… » (aria-busy on the pair), until the join settles;
// - in the list shown while the SDK and its crypto start (the preview), « Accepter » did nothing at
//   all. Now the answer waits for the session, saying « Acceptation… », then joins.
// The join request (and, for the preview, the crypto WebAssembly) is held by the page's router so
// the wait is observed, then let through: the room is joined for real.
import assert from "node:assert/strict";
import type { Page, Route } from "playwright-core";
import { registerUser } from "../harness/homeserver.ts";
import { screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient, type Agent } from "../harness/client-pages.ts";

const A = "ville-a.test";

/** Holds every request matching `glob` until the returned function is called; `seen` lists them. */
async function hold(page: Page, glob: string): Promise<{ seen: string[]; release(): void }> {
  const seen: string[] = [];
  const gate = Promise.withResolvers<void>();
  await page.route(glob, async (route: Route) => {
    seen.push(route.request().url());
    await gate.promise;
    await route.continue();
  });
  return { seen, release: () => gate.resolve() };
}

describe("room list: an invitation being accepted says so (Chromium)", function () {
  this.timeout(120_000);
  const app = useCouncilsClient([A]);
  let page: Page | undefined;
  screenshotOnFailure("invite-answer", () => page);
  let alice: Agent;

  const invite = async (name: string, who: Agent): Promise<void> => {
    await api(app.fed.get(A).url, alice, "POST", "/createRoom", { name, preset: "private_chat", invite: [who.userId] });
  };
  const accepted = async (p: Page, name: string): Promise<void> => {
    await p.getByRole("link", { name: new RegExp(name) }).waitFor({ timeout: 30_000 });
    assert.equal(await p.getByRole("button", { name: new RegExp(name) }).count(), 0, "the invitation is gone");
  };

  before(async () => { alice = await registerUser(app.fed.get(A).url, "alice"); });

  it("disables « Accepter » and « Refuser » and says « Acceptation… » until the join is done", async () => {
    const url = app.fed.get(A).url;
    const bob = await registerUser(url, "bob");
    await invite("Marchés publics", bob);
    page = await openSignedIn(app.browser, app.web.url, url, bob);
    await page.getByText("Choisissez un salon dans la liste.").waitFor({ timeout: 60_000 }); // the session is up
    const joins = await hold(page, "**/_matrix/client/v3/join/**");
    await page.getByRole("button", { name: "Accepter : Marchés publics" }).click();

    const busy = page.getByRole("button", { name: "Acceptation… : Marchés publics" });
    await busy.waitFor();
    assert.equal(await busy.isDisabled(), true, "the pressed button waits");
    assert.equal(await page.getByRole("button", { name: "Refuser : Marchés publics" }).isDisabled(), true, "« Refuser » waits too");
    assert.equal(await busy.evaluate((b) => b.parentElement?.getAttribute("aria-busy")), "true");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await busy.click({ force: true });
    assert.equal(joins.seen.length, 1, "a second press sends no second join");

    joins.release();
    await accepted(page, "Marchés publics");
  });

  it("an invitation accepted in the list shown while encryption starts is joined once the session is up", async () => {
    const url = app.fed.get(A).url;
    const carol = await registerUser(url, "carol");
    await invite("Voirie", carol);
    const ctx = await app.browser.newContext({ locale: "fr-FR" });
    const { addSavedSession } = await import("../harness/client-pages.ts");
    await addSavedSession(ctx, url, carol);
    page = await ctx.newPage();
    const crypto = await hold(page, "**/*.wasm"); // the SDK's crypto cannot start: the preview stays
    await page.goto(app.web.url);
    await page.getByText("Préparation du chiffrement", { exact: false }).first().waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Accepter : Voirie" }).click();
    const busy = page.getByRole("button", { name: "Acceptation… : Voirie" });
    await busy.waitFor({ timeout: 10_000 });
    assert.equal(await busy.isDisabled(), true);

    crypto.release();
    await accepted(page, "Voirie");
    await ctx.close();
  });
});
