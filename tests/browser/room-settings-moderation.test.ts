// The web client in Chromium: a room created with an image (shown in the room list and header), its
// name, topic and image edited from the settings (one "Enregistré." announced once), members
// removed and banned with a reason and a ban lifted — each checked on the server — and the
// moderation buttons shown only when the agent's power level allows them; a public room created
// from the dialog is joined without an invitation.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient, type Agent } from "../harness/client-pages.ts";

const A = "ville-a.test";

const png = (colour: string): Promise<Buffer> => sharp({ create: { width: 64, height: 64, channels: 3, background: colour } }).png().toBuffer();

describe("web client in Chromium: room name, topic, image, removing and banning members", function () {
  this.timeout(180_000);
  const app = useCouncilsClient([A]);
  let url: string;
  before(() => { url = app.fed.get(A).url; });

  /** A page already signed in (saved session), as after a reload. */
  async function open(who: Agent): Promise<Page> {
    const page = await openSignedIn(app.browser, app.web.url, url, who);
    // The full session (the preview list shown before it has no actions yet).
    await page.getByRole("button", { name: "Se déconnecter" }).waitFor({ timeout: 60_000 });
    return page;
  }

  const state = async (who: Agent, roomId: string, type: string, key = ""): Promise<Record<string, unknown>> =>
    api(url, who, "GET", `/rooms/${encodeURIComponent(roomId)}/state/${type}/${encodeURIComponent(key)}`);

  /** The object URL of the room image shown inside `scope` (the <ent-avatar> renders an <img> once fetched). */
  const avatarSrc = async (scope: ReturnType<Page["locator"]>): Promise<string> => {
    const img = scope.locator("ent-avatar img");
    await img.waitFor({ timeout: 30_000 });
    return (await img.getAttribute("src")) ?? "";
  };

  it("creates a room with an image, edits its name, topic and image, removes, bans and unbans with reasons", async () => {
    const alice = await registerUser(url, "alice");
    const bob = await registerUser(url, "bob");
    const carol = await registerUser(url, "carol");
    const page = await open(alice);

    // Creation with an image: uploaded first, set in the creation's initial state.
    await page.getByRole("button", { name: "Nouveau salon" }).click({ timeout: 60_000 });
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Nom").fill("Voirie");
    await dialog.getByLabel("Choisir une image pour le salon (facultatif)").setInputFiles({ name: "voirie.png", mimeType: "image/png", buffer: await png("#b91c1c") });
    await dialog.getByRole("button", { name: "Créer" }).click();
    const link = page.getByRole("link", { name: /Voirie/ });
    await link.waitFor({ timeout: 30_000 });
    const roomId = decodeURIComponent((await link.getAttribute("href"))?.replace("#/room/", "") ?? "");
    const avatar1 = String((await state(alice, roomId, "m.room.avatar"))["url"]);
    assert.match(avatar1, /^mxc:\/\/ville-a\.test\//);
    assert.match(await avatarSrc(link), /^blob:/, "the image in the room list");
    assert.match(await avatarSrc(page.locator("h1#room-title")), /^blob:/, "the image in the room header");

    for (const who of [bob, carol]) {
      await api(url, alice, "POST", `/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: who.userId });
      await api(url, who, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    }

    await page.getByRole("button", { name: "Paramètres du salon" }).click();
    const settings = page.locator("ent-room-settings");
    await settings.getByLabel("Nom").fill("Voirie 2026");
    await settings.getByLabel("Sujet").fill("Travaux d'été");
    await settings.getByRole("button", { name: "Enregistrer" }).click();
    // One confirmation, in the settings' live region (it used to be shown twice: header and panel).
    await settings.getByRole("status").filter({ hasText: "Enregistré." }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByText("Enregistré.", { exact: true }).count(), 1, "a single confirmation on the page");
    assert.equal((await state(alice, roomId, "m.room.name"))["name"], "Voirie 2026");
    assert.equal((await state(alice, roomId, "m.room.topic"))["topic"], "Travaux d'été");
    await page.getByRole("link", { name: /Voirie 2026/ }).waitFor({ timeout: 30_000 });

    await settings.getByLabel("Changer l'image du salon", { exact: true }).setInputFiles({ name: "bleu.png", mimeType: "image/png", buffer: await png("#1d4ed8") });
    await waitFor("the new image on the server", async () => {
      const u = String((await state(alice, roomId, "m.room.avatar"))["url"]);
      return u !== avatar1 ? u : undefined;
    }, 30_000);
    await settings.getByRole("status").filter({ hasText: "Enregistré." }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByText("Enregistré.", { exact: true }).count(), 1);

    // Remove bob with a reason.
    await settings.getByRole("button", { name: "Retirer bob du salon" }).click();
    await settings.getByLabel("Motif (facultatif)").fill("Hors sujet");
    await settings.getByRole("button", { name: "Confirmer le retrait" }).click();
    await settings.getByRole("status").filter({ hasText: "Personne retirée du salon." }).waitFor({ timeout: 30_000 });
    const bobMember = await state(alice, roomId, "m.room.member", bob.userId);
    assert.deepEqual([bobMember["membership"], bobMember["reason"]], ["leave", "Hors sujet"]);

    // Ban carol with a reason; she is listed as banned with it; then the ban is lifted.
    await settings.getByRole("button", { name: "Bannir carol du salon" }).click();
    await settings.getByLabel("Motif (facultatif)").fill("Messages indésirables");
    await settings.getByRole("button", { name: "Confirmer le bannissement" }).click();
    await settings.getByText("Motif : Messages indésirables").waitFor({ timeout: 30_000 });
    const carolMember = await state(alice, roomId, "m.room.member", carol.userId);
    assert.deepEqual([carolMember["membership"], carolMember["reason"]], ["ban", "Messages indésirables"]);
    assert.deepEqual(await seriousA11yViolations(page), [], "settings with moderation controls accessible");
    await screenshot(page, "room-settings-moderation");
    await settings.getByRole("button", { name: /^Lever le bannissement de @?carol/ }).click();
    await settings.getByRole("status").filter({ hasText: "Bannissement levé." }).waitFor({ timeout: 30_000 });
    assert.equal((await state(alice, roomId, "m.room.member", carol.userId))["membership"], "leave");

    // Buttons only when the power level allows: in bob's room alice is a member (0), then a moderator (50).
    const { room_id: bobRoom } = (await api(url, bob, "POST", "/createRoom", { name: "Salon de bob", preset: "private_chat", invite: [alice.userId, carol.userId] })) as { room_id: string };
    await api(url, alice, "POST", `/join/${encodeURIComponent(bobRoom)}`, {});
    await api(url, carol, "POST", `/join/${encodeURIComponent(bobRoom)}`, {});
    await page.getByRole("link", { name: /Salon de bob/ }).click({ timeout: 30_000 });
    await page.getByRole("button", { name: "Paramètres du salon" }).click();
    await settings.getByText("carol", { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await settings.getByRole("button", { name: /^(Retirer|Bannir) / }).count(), 0, "a member moderates nobody");
    assert.equal(await settings.getByLabel("Nom").count(), 0, "a member cannot rename the room");
    const pl = await state(bob, bobRoom, "m.room.power_levels");
    await api(url, bob, "PUT", `/rooms/${encodeURIComponent(bobRoom)}/state/m.room.power_levels/`, { ...pl, users: { ...(pl["users"] as object), [alice.userId]: 50 } });
    await settings.getByRole("button", { name: "Retirer carol du salon" }).waitFor({ timeout: 30_000 });
    await settings.getByRole("button", { name: "Bannir carol du salon" }).waitFor();
    assert.equal(await settings.getByRole("button", { name: /bob du salon/ }).count(), 0, "not the admin above the moderator");

    // A public room at creation: anyone with the link joins, without an invitation.
    await page.getByRole("button", { name: "Nouveau salon" }).click();
    await dialog.getByLabel("Nom").fill("Accueil du public");
    await dialog.getByLabel("Toute personne qui a le lien (salon public)").check();
    await dialog.getByRole("button", { name: "Créer" }).click();
    const publicLink = page.getByRole("link", { name: /Accueil du public/ });
    await publicLink.waitFor({ timeout: 30_000 });
    const publicRoom = decodeURIComponent((await publicLink.getAttribute("href"))?.replace("#/room/", "") ?? "");
    assert.equal((await state(alice, publicRoom, "m.room.join_rules"))["join_rule"], "public");
    await api(url, carol, "POST", `/join/${encodeURIComponent(publicRoom)}`, {});
  });
});
