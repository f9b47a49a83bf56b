// Typing in the composer, in Chromium against a real homeserver. Each keystroke with no « @ » at
// the caret asked the council's user directory for `"search_term": null` (the composer's
// "no mention" undefined arrives as a CustomEvent's null detail), answered 400 M_BAD_JSON: one
// failed request per key, errors in the console. Now plain text asks nothing; « @al » still asks
// for « al » and offers Alice.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerUser } from "../harness/homeserver.ts";
import { screenshotOnFailure } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient } from "../harness/client-pages.ts";

const A = "ville-a.test";

describe("composer: the mention search runs only for an « @ » (Chromium)", function () {
  this.timeout(120_000);
  const app = useCouncilsClient([A]);
  let page: Page | undefined;
  screenshotOnFailure("mention-query", () => page);

  it("sends no directory search for plain text, and one per term after « @ »", async () => {
    const url = app.fed.get(A).url;
    const alice = await registerUser(url, "alice");
    const bob = await registerUser(url, "bob");
    await api(url, bob, "POST", "/createRoom", { name: "Voirie", preset: "private_chat", invite: [alice.userId] });

    page = await openSignedIn(app.browser, app.web.url, url, bob);
    const searches: { term: unknown; status: number }[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/user_directory/search")) searches.push({ term: (JSON.parse(r.request().postData() ?? "{}") as Record<string, unknown>)["search_term"], status: r.status() });
    });
    await page.getByRole("link", { name: /Voirie/ }).click({ timeout: 60_000 });
    const alSearched = page.waitForResponse((r) => r.url().includes("/user_directory/search") && r.request().postData()?.includes('"search_term":"al"') === true);
    const box = page.getByLabel("Écrire un message");
    await box.pressSequentially("Bonjour à tous", { delay: 20 });
    await box.pressSequentially(" @al", { delay: 20 });
    await page.getByRole("option", { name: /alice/ }).waitFor({ timeout: 30_000 });
    await alSearched;
    assert.deepEqual(searches.filter((s) => typeof s.term !== "string" || s.status !== 200), [], "every search has a term and succeeds");
    assert.deepEqual([...new Set(searches.map((s) => s.term))].sort(), ["a", "al"], "only the terms after « @ » are searched");
  });
});
