// Emoji (SAS) verification in Chromium, two councils. Alice signs in a second time on a fresh
// profile and verifies that new device from her first one: both pages show the same 7 emoji with
// French names (read on both, compared, then "Ils correspondent" on both); the new device ends up
// cross-signed and reads the earlier encrypted messages (backup key sent by secret sharing). Then
// Alice verifies Bob (other council) from the room settings with an in-room request; Bob is no
// longer flagged. On the way, an encrypted image is previewed (decrypted in the page) and opened.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { waitFor } from "../harness/homeserver.ts";
import { screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi, message, recordRevokedObjectUrls, saveRecoveryKey, signIn, useCouncilsClient } from "../harness/client-pages.ts";
import { solidPng } from "../harness/png.ts";
import { SAS_EMOJI_FR } from "../../client/src/core/sas-emoji.ts";

const A = "ville-a.test";
const B = "agglo-b.test";

interface SavedSession { baseUrl: string; userId: string; accessToken: string; deviceId: string }

const session = async (page: Page): Promise<SavedSession> => JSON.parse((await page.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as SavedSession;

const api = (s: SavedSession, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => clientApi(s.baseUrl, s, method, path, body);

/** The emoji shown in the verification dialog, as "🐶 Chien" strings, once all 7 are there. */
async function shownEmoji(page: Page): Promise<string[]> {
  const list = page.getByRole("list", { name: "Émojis à comparer" });
  await list.getByRole("listitem").nth(6).waitFor({ timeout: 60_000 });
  type Li = { querySelectorAll(sel: string): ArrayLike<{ textContent: string | null }> };
  return list.getByRole("listitem").evaluateAll((items) => items.map((li) => Array.from((li as unknown as Li).querySelectorAll("span")).map((x) => x.textContent?.trim() ?? "").join(" ")));
}

async function compareAndConfirm(a: Page, b: Page): Promise<string[]> {
  const [onA, onB] = await Promise.all([shownEmoji(a), shownEmoji(b)]);
  assert.equal(onA.length, 7, "seven emoji");
  assert.deepEqual(onA, onB, "both screens show the same emoji, in the same order");
  const french = new Set(SAS_EMOJI_FR.values());
  for (const e of onA) assert.ok(french.has(e.split(" ").slice(1).join(" ")), `French name shown: ${e}`);
  await a.getByRole("button", { name: "Ils correspondent" }).click();
  await b.getByRole("button", { name: "Ils correspondent" }).click();
  return onA;
}

describe("web client in Chromium: emoji verification of a new device and of another person", function () {
  this.timeout(300_000);
  const app = useCouncilsClient([A, B], { users: { alice: A, bob: B } });

  const newPage = async (): Promise<Page> => {
    const ctx = await app.newContext({ locale: "fr-FR", acceptDownloads: true });
    // Which object URLs the page revoked (image previews must not leak them).
    await recordRevokedObjectUrls(ctx);
    return ctx.newPage();
  };

  it("verifies a new sign-in from the first device (history readable after), then verifies a person of another council", async () => {
    const alice = await newPage();
    const bob = await newPage();
    await signIn(alice, app.web.url, A, "alice");
    await signIn(bob, app.web.url, B, "bob");
    await saveRecoveryKey(alice);
    await saveRecoveryKey(bob);
    const aliceS = await session(alice);
    const bobS = await session(bob);

    // An encrypted room with Bob, made over the API (the browsers encrypt what they send in it).
    const { room_id: roomId } = (await api(aliceS, "POST", "/createRoom", {
      name: "Budget 2027", preset: "private_chat", invite: [bobS.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })) as { room_id: string };
    await waitFor("bob joins over federation", () => api(bobS, "POST", `/join/${encodeURIComponent(roomId)}?server_name=${A}`, {}).then(() => true, () => undefined), 30_000);
    await alice.getByRole("link", { name: /Budget 2027/ }).click({ timeout: 30_000 });
    await bob.getByRole("link", { name: /Budget 2027/ }).click({ timeout: 30_000 });
    await alice.getByLabel("Écrire un message").fill("Enveloppe voirie : 120 000 €");
    await alice.getByLabel("Écrire un message").press("Enter");
    await message(bob, "Enveloppe voirie").waitFor({ timeout: 60_000 });

    // An encrypted image: previewed on the other council, decrypted in the page, space reserved.
    await alice.locator("input#file").setInputFiles({ name: "carte.png", mimeType: "image/png", buffer: solidPng(40, 30, [200, 30, 30]) });
    const thumb = bob.locator("img[alt=\"carte.png\"]").first();
    await thumb.waitFor({ timeout: 60_000 });
    type Img = { naturalWidth: number; width: number; height: number };
    await waitFor("the thumbnail decoded", async () => ((await thumb.evaluate((img) => (img as unknown as Img).naturalWidth)) === 40 ? true : undefined), 30_000);
    assert.deepEqual(await thumb.evaluate((img) => [(img as unknown as Img).width, (img as unknown as Img).height]), [40, 30], "info.w/h sent and used");
    await bob.getByRole("button", { name: "Agrandir l'image carte.png" }).click();
    const viewer = bob.getByRole("dialog", { name: "Image : carte.png" });
    const full = viewer.getByRole("img", { name: "carte.png" });
    await full.waitFor();
    const fullUrl = (await full.getAttribute("src")) ?? "";
    assert.match(fullUrl, /^blob:/);
    await viewer.getByRole("button", { name: "Télécharger" }).waitFor();
    assert.deepEqual(await seriousA11yViolations(bob), [], "the image viewer is accessible");
    await bob.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });
    // The dialog's close event comes a task after it is hidden.
    await waitFor("the viewer's object URL is revoked on close", async () => ((await bob.evaluate(() => (globalThis as unknown as { __revoked: string[] }).__revoked)).includes(fullUrl) ? true : undefined), 10_000);

    // Alice's room keys must be in her backup before the new device can get them.
    await waitFor("alice's room keys backed up", async () => {
      const body = (await api(aliceS, "GET", "/room_keys/keys?version=1")) as { rooms?: Record<string, unknown> };
      return Object.keys(body.rooms ?? {}).length > 0 ? true : undefined;
    }, 30_000);

    // Second sign-in on a fresh profile: verified from the first device with emoji.
    const alice2 = await newPage();
    await signIn(alice2, app.web.url, A, "alice");
    await alice2.getByRole("heading", { name: "Relire vos messages chiffrés" }).waitFor({ timeout: 60_000 });
    // First attempt: the agent says the emoji differ; both sides stop and trust nothing.
    await alice2.getByRole("button", { name: "Vérifier depuis un autre appareil" }).click();
    const request = alice.getByRole("dialog", { name: "Nouvelle connexion à vérifier" });
    await request.waitFor({ timeout: 60_000 });
    await request.getByRole("button", { name: "Vérifier" }).click();
    await shownEmoji(alice);
    await alice.getByRole("button", { name: "Ils ne correspondent pas" }).click();
    for (const p of [alice, alice2]) {
      await p.getByText("Les émojis ne correspondaient pas : vérification annulée.", { exact: false }).waitFor({ timeout: 60_000 });
      await p.getByRole("button", { name: "Fermer" }).click();
    }
    await alice2.getByRole("heading", { name: "Relire vos messages chiffrés" }).waitFor();

    // Second attempt: the emoji match.
    await alice2.getByRole("button", { name: "Vérifier depuis un autre appareil" }).click();
    await request.waitFor({ timeout: 60_000 });
    await screenshot(alice, "verification-request");
    await request.getByRole("button", { name: "Vérifier" }).click();
    await shownEmoji(alice2);
    assert.deepEqual(await seriousA11yViolations(alice2), [], "the emoji dialog is accessible");
    const emoji = await compareAndConfirm(alice2, alice);
    await screenshot(alice2, "verification-emoji");
    await alice2.getByText("Vérification réussie : cet appareil est vérifié.").waitFor({ timeout: 60_000 });
    await alice.getByText("Vérification réussie : cet appareil est vérifié.").waitFor({ timeout: 60_000 });
    assert.equal(emoji.length, 7);
    await alice2.getByRole("button", { name: "Fermer" }).click();
    await alice.getByRole("button", { name: "Fermer" }).click();

    // Cross-signed by the first device: the new device's keys carry the self-signing key's signature.
    const alice2S = await session(alice2);
    await waitFor("the new device signed by alice's self-signing key", async () => {
      const q = (await api(aliceS, "POST", "/keys/query", { device_keys: { [aliceS.userId]: [] } })) as {
        device_keys: Record<string, Record<string, { signatures?: Record<string, Record<string, string>> }>>;
        self_signing_keys: Record<string, { keys: Record<string, string> }>;
      };
      const ssk = Object.keys(q.self_signing_keys[aliceS.userId]?.keys ?? {})[0];
      const sigs = q.device_keys[aliceS.userId]?.[alice2S.deviceId]?.signatures?.[aliceS.userId] ?? {};
      return ssk !== undefined && ssk in sigs ? true : undefined;
    }, 60_000);

    // The history: the backup key came by secret sharing, the earlier messages decrypt.
    await alice2.getByRole("link", { name: /Budget 2027/ }).click({ timeout: 30_000 });
    await message(alice2, "Enveloppe voirie : 120 000 €").waitFor({ timeout: 60_000 });
    await screenshot(alice2, "verified-device-history");

    // Verify another person: Bob, from the room settings, with an in-room request.
    await alice.getByRole("button", { name: "Paramètres du salon" }).click();
    const bobRow = alice.getByRole("region", { name: /Paramètres du salon/ }).getByRole("listitem").filter({ hasText: bobS.userId });
    await bobRow.getByText("identité non vérifiée").waitFor({ timeout: 30_000 });
    await bobRow.getByRole("button", { name: /^Vérifier / }).click();
    const incoming = bob.getByRole("dialog", { name: `${aliceS.userId} souhaite vérifier votre identité` });
    await incoming.waitFor({ timeout: 60_000 });
    await incoming.getByRole("button", { name: "Vérifier" }).click();
    await compareAndConfirm(alice, bob);
    await alice.getByText(`Vérification réussie : l'identité de ${bobS.userId} est vérifiée.`).waitFor({ timeout: 60_000 });
    await bob.getByText(`Vérification réussie : l'identité de ${aliceS.userId} est vérifiée.`).waitFor({ timeout: 60_000 });
    await alice.getByRole("button", { name: "Fermer" }).click();
    await bob.getByRole("button", { name: "Fermer" }).click();
    // The request stays in the room's history as a short line, not the SDK's English fallback.
    await bob.getByText("alice a demandé une vérification d'identité par émojis.").waitFor({ timeout: 30_000 });
    await bobRow.getByText("identité vérifiée").waitFor({ timeout: 60_000 });
    assert.equal(await bobRow.getByText("identité non vérifiée").count(), 0, "Bob is no longer flagged");
    assert.equal(await bobRow.getByText(/appareils? non vérifiés?/).count(), 0, "nor any of his devices");
    await screenshot(alice, "verified-person");
  });
});
