// The web client in Chromium when things go wrong, with a second client (the API) reading what
// arrives: two tabs of one session (one syncs, the other offers "Utiliser ici" and takes over),
// drafts kept per room, the unread count in the page title, the offline banner with sends queued
// and delivered in order once back, a send refused by the server shown "Échec de l'envoi" and
// delivered by "Réessayer", and file errors in plain words (too large from m.upload.size, quota,
// offline, server not answering).
import assert from "node:assert/strict";
import type { BrowserContext } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { addSavedSession, clientApi as api, useCouncilsClient, type Agent } from "../harness/client-pages.ts";

const A = "ville-a.test";
const MAX_UPLOAD = 200_000;
const QUOTA = 250_000;

describe("web client in Chromium: two tabs, drafts, offline, failed sends, file errors", function () {
  this.timeout(240_000);
  const app = useCouncilsClient([A], { configure: (_n, c) => { c.media.maxUploadBytes = MAX_UPLOAD; c.media.userQuotaBytes = QUOTA; } });
  let url: string;
  before(() => { url = app.fed.get(A).url; });

  /** Bodies of the room's latest text messages, oldest first, as the second client reads them. */
  const bodies = async (who: Agent, roomId: string): Promise<string[]> => {
    const r = await api(url, who, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=30`);
    return (r["chunk"] as { type: string; content: Record<string, unknown> }[]).filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"])).reverse();
  };

  it("keeps one syncing tab, drafts per room, queues sends while offline, retries a failed send, explains file errors", async () => {
    const alice = await registerUser(url, "alice");
    const bob = await registerUser(url, "bob");
    const room = async (name: string, encrypted = false): Promise<string> => {
      const initial_state = encrypted ? [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }] : [];
      const { room_id } = (await api(url, bob, "POST", "/createRoom", { name, preset: "private_chat", invite: [alice.userId], initial_state })) as { room_id: string };
      await api(url, alice, "POST", `/join/${encodeURIComponent(room_id)}`, {});
      return room_id;
    };
    const voirie = await room("Voirie");
    const budget = await room("Budget");
    const secret = await room("Chiffré", true);
    await api(url, bob, "PUT", `/rooms/${encodeURIComponent(voirie)}/send/m.room.message/v1`, { msgtype: "m.text", body: "Bienvenue" });

    // --- Two tabs of one session (one browser profile).
    const ctx: BrowserContext = await app.newContext();
    await addSavedSession(ctx, url, alice);
    const first = await ctx.newPage();
    await first.goto(app.web.url);
    await first.getByRole("button", { name: "Se déconnecter" }).waitFor({ timeout: 60_000 });
    const second = await ctx.newPage();
    await second.goto(app.web.url);
    await second.getByRole("heading", { name: "Entente est ouvert dans un autre onglet" }).waitFor({ timeout: 30_000 });
    assert.equal(await second.getByRole("button", { name: "Se déconnecter" }).count(), 0, "the second tab does not start the session");
    assert.deepEqual(await seriousA11yViolations(second), [], "the other-tab screen is accessible");
    await first.getByRole("link", { name: /Voirie/ }).click();
    await first.locator("article").filter({ hasText: "Bienvenue" }).waitFor({ timeout: 30_000 });

    let firstSyncs = 0;
    await second.getByRole("button", { name: "Utiliser ici" }).click();
    await first.getByRole("heading", { name: "Entente est maintenant utilisé dans un autre onglet." }).waitFor({ timeout: 30_000 });
    first.on("request", (r) => { if (r.url().includes("/sync")) firstSyncs++; });
    const page = second;
    await page.getByRole("button", { name: "Se déconnecter" }).waitFor({ timeout: 60_000 });
    await api(url, bob, "PUT", `/rooms/${encodeURIComponent(voirie)}/send/m.room.message/v2`, { msgtype: "m.text", body: "Vu dans le nouvel onglet" });
    await page.getByRole("link", { name: /Voirie/ }).click();
    await page.locator("article").filter({ hasText: "Vu dans le nouvel onglet" }).waitFor({ timeout: 30_000 });
    assert.equal(firstSyncs, 0, "the first tab stopped syncing once the second took over");
    await first.getByRole("button", { name: "Utiliser ici" }).waitFor();
    await screenshot(first, "other-tab");
    await first.close();

    // --- Drafts per room, and the unread count in the page title.
    const composer = page.getByLabel("Écrire un message").first();
    await composer.fill("Brouillon voirie");
    await composer.dispatchEvent("input");
    await page.getByRole("link", { name: /Budget/ }).click();
    await page.getByRole("heading", { name: /Budget/ }).waitFor();
    assert.equal(await composer.inputValue(), "", "another room has its own (empty) draft");
    await composer.fill("Brouillon budget");
    await page.getByRole("link", { name: /Voirie/ }).click();
    await page.getByRole("heading", { name: /Voirie/ }).waitFor();
    assert.equal(await composer.inputValue(), "Brouillon voirie");
    await page.getByRole("link", { name: /Budget/ }).click();
    await page.getByRole("heading", { name: /Budget/ }).waitFor();
    assert.equal(await composer.inputValue(), "Brouillon budget");
    await composer.fill("");
    await page.getByRole("link", { name: /Voirie/ }).click();
    await composer.fill("");
    await api(url, bob, "PUT", `/rooms/${encodeURIComponent(budget)}/send/m.room.message/b1`, { msgtype: "m.text", body: "Point budget" });
    await waitFor("the unread count in the title", async () => ((await page.title()) === "(1) Voirie · Entente" ? true : undefined), 30_000);

    // --- Offline: banner at once, sends queued in order, delivered when the network is back.
    await ctx.setOffline(true);
    const banner = page.getByRole("alert").filter({ hasText: "Le serveur ne répond pas : vos messages partiront dès son retour." });
    await banner.waitFor({ timeout: 30_000 });
    await composer.fill("Écrit hors ligne");
    await composer.press("Enter");
    await composer.fill("Deuxième hors ligne");
    await composer.press("Enter");
    for (const text of ["Écrit hors ligne", "Deuxième hors ligne"]) {
      await page.locator("article").filter({ hasText: text }).getByText("En attente : partira au retour du serveur").waitFor({ timeout: 30_000 });
    }
    // Leaving the page now would lose them: the browser asks first (dismissed: the page stays).
    const asked = new Promise<string>((resolve) => page.once("dialog", (d) => { resolve(d.type()); void d.dismiss(); }));
    await page.close({ runBeforeUnload: true });
    assert.equal(await asked, "beforeunload");
    await composer.waitFor();
    assert.equal(page.isClosed(), false);
    await page.locator("#file").setInputFiles({ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from("hors ligne") });
    await page.getByText("Vous êtes hors ligne : « note.txt » n'a pas été envoyé.").waitFor({ timeout: 30_000 });
    await screenshot(page, "offline-queued");
    assert.deepEqual((await bodies(bob, voirie)).filter((b) => b.includes("hors ligne")), [], "nothing reached the server");
    await ctx.setOffline(false);
    await banner.waitFor({ state: "detached", timeout: 60_000 });
    await waitFor("the queued messages delivered in order", async () => {
      const got = (await bodies(bob, voirie)).filter((b) => b.includes("hors ligne"));
      return got.length === 2 ? got : undefined;
    }, 60_000).then((got) => assert.deepEqual(got, ["Écrit hors ligne", "Deuxième hors ligne"]));
    await page.getByText("En attente : partira au retour du serveur").first().waitFor({ state: "detached", timeout: 30_000 });

    // --- The same in an encrypted room (the usual case): encrypted on the device, it waits, then goes.
    await page.getByRole("link", { name: /Chiffré/ }).click();
    await page.getByRole("heading", { name: /Chiffré/ }).waitFor();
    await composer.fill("Avant la coupure");
    await composer.press("Enter");
    const encryptedFromAlice = async (): Promise<number> => {
      const r = await api(url, bob, "GET", `/rooms/${encodeURIComponent(secret)}/messages?dir=b&limit=30`);
      return (r["chunk"] as { type: string; sender: string }[]).filter((e) => e.type === "m.room.encrypted" && e.sender === alice.userId).length;
    };
    await waitFor("the first encrypted message", async () => ((await encryptedFromAlice()) === 1 ? true : undefined), 30_000);
    await ctx.setOffline(true);
    await banner.waitFor({ timeout: 30_000 });
    await composer.fill("Chiffré hors ligne");
    await composer.press("Enter");
    await page.locator("article").filter({ hasText: "Chiffré hors ligne" }).getByText("En attente : partira au retour du serveur").waitFor({ timeout: 30_000 });
    await ctx.setOffline(false);
    await banner.waitFor({ state: "detached", timeout: 60_000 });
    await waitFor("the encrypted message sent once back", async () => ((await encryptedFromAlice()) === 2 ? true : undefined), 60_000);
    await page.getByRole("link", { name: /Voirie/ }).click();
    await page.getByRole("heading", { name: /Voirie/ }).waitFor();

    // --- A send the server refuses (bob makes posting moderator-only: 403): "Échec de l'envoi",
    // then, posting open again, "Réessayer" delivers it.
    const pl = await api(url, bob, "GET", `/rooms/${encodeURIComponent(voirie)}/state/m.room.power_levels/`);
    await api(url, bob, "PUT", `/rooms/${encodeURIComponent(voirie)}/state/m.room.power_levels/`, { ...pl, events_default: 50 });
    await composer.fill("Message refusé puis renvoyé");
    await composer.press("Enter");
    const failed = page.locator("article").filter({ hasText: "Message refusé puis renvoyé" });
    await failed.getByText("Échec de l'envoi").waitFor({ timeout: 30_000 });
    assert.equal(await failed.getByText("En attente").count(), 0, "refused, not waiting for the network");
    await api(url, bob, "PUT", `/rooms/${encodeURIComponent(voirie)}/state/m.room.power_levels/`, { ...pl, events_default: 0 });
    await failed.getByRole("button", { name: "Réessayer" }).click();
    await failed.getByText("Échec de l'envoi").waitFor({ state: "detached", timeout: 30_000 });
    await waitFor("the retried message on the server", async () => ((await bodies(bob, voirie)).includes("Message refusé puis renvoyé") ? true : undefined), 30_000);

    // --- File errors in plain words.
    const notice = (text: RegExp | string) => page.getByText(text).first().waitFor({ timeout: 30_000 });
    await page.locator("#file").setInputFiles({ name: "gros.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(MAX_UPLOAD + 1) });
    await notice("« gros.bin » est trop volumineux : 195,3 ko au plus sur ce serveur.");
    await page.route("**/_matrix/media/**/upload**", (r) => r.abort("connectionrefused"));
    await page.locator("#file").setInputFiles({ name: "plan.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(1000) });
    await notice("Le serveur ne répond pas : « plan.pdf » n'a pas été envoyé, réessayez plus tard.");
    await page.unroute("**/_matrix/media/**/upload**");
    await page.locator("#file").setInputFiles({ name: "premier.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(150_000) });
    await page.locator("article").filter({ hasText: "premier.bin" }).waitFor({ timeout: 30_000 });
    await page.locator("#file").setInputFiles({ name: "second.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(150_000) });
    await notice("Votre espace de stockage de fichiers est plein : « second.bin » n'a pas été envoyé.");
    await screenshot(page, "file-errors");
    await ctx.close();
  });
});
