// Starting a thread from the web client, in Chromium against a real homeserver. The client showed
// threads other clients had started (« Ouvrir le fil : 1 réponse ») but offered no way to start
// one: each message now has « Démarrer un fil », which opens the thread panel on it; the
// reply typed there is a standard m.thread relation to that message, and the message then shows
// the thread's summary instead of the button.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi as api, message, openSignedIn, useCouncilsClient } from "../harness/client-pages.ts";

const A = "ville-a.test";

describe("timeline: « Démarrer un fil » starts a thread (Chromium)", function () {
  this.timeout(120_000);
  const app = useCouncilsClient([A]);
  let page: Page | undefined;
  screenshotOnFailure("thread-start", () => page);

  it("opens the thread panel on a message and sends the reply as m.thread", async () => {
    const url = app.fed.get(A).url;
    const alice = await registerUser(url, "alice");
    const { room_id: roomId } = (await api(url, alice, "POST", "/createRoom", { name: "Voirie", preset: "private_chat" })) as { room_id: string };
    const { event_id: rootId } = (await api(url, alice, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, { msgtype: "m.text", body: "Devis de la voirie" })) as { event_id: string };

    page = await openSignedIn(app.browser, app.web.url, url, alice);
    await page.getByRole("link", { name: /Voirie/ }).click({ timeout: 60_000 });
    const root = message(page, "Devis de la voirie");
    await root.getByRole("button", { name: "Démarrer un fil" }).click({ timeout: 30_000 });

    const panel = page.locator("ent-thread-panel");
    const composer = panel.getByLabel("Répondre dans le fil");
    await composer.waitFor();
    const focused = await page.evaluate(() => {
      interface El { tagName: string; shadowRoot: { activeElement: El | null } | null; getRootNode(): { host?: El } }
      let el = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return `${el?.tagName} in ${el?.getRootNode().host?.tagName ?? "document"}`;
    });
    assert.equal(focused, "TEXTAREA in ENT-THREAD-PANEL", "the keyboard is in the thread's composer");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await composer.fill("Je m'en occupe");
    await composer.press("Enter");

    const reply = await waitFor("the reply in the thread, on the server", async () => {
      const r = (await api(url, alice, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`)) as { chunk: { content: Record<string, unknown> }[] };
      return r.chunk.find((e) => e.content["body"] === "Je m'en occupe");
    }, 30_000);
    const rel = reply.content["m.relates_to"] as Record<string, unknown>;
    assert.equal(rel["rel_type"], "m.thread");
    assert.equal(rel["event_id"], rootId);
    await root.getByRole("button", { name: /^Ouvrir le fil : 1 réponse/ }).waitFor({ timeout: 30_000 });
    assert.equal(await root.getByRole("button", { name: "Démarrer un fil" }).count(), 0, "a message with a thread shows its summary instead");
  });
});
