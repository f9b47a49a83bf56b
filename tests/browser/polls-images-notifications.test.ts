// The web client in Chromium, two councils, rooms set up over the API so the browsers only do what
// is checked: an image preview (plain m.image: space reserved from info.w/h, full-size viewer with
// download, Escape, object URL revoked), closing polls (by their creator, and by a moderator: the
// end event as Element sends it, results final, a vote after the end ignored) and browser
// notifications (permission granted through playwright, a spy on window.Notification: a mention
// and a DM notify when not on screen, an ordinary message and what is on screen do not; a click
// opens the room).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { ARTIFACTS, screenshot } from "../harness/browser.ts";
import { addSavedSession, clientApi as api, recordRevokedObjectUrls, useCouncilsClient, type Agent } from "../harness/client-pages.ts";
import { solidPng } from "../harness/png.ts";
import { POLL_END, POLL_RESPONSE, POLL_START, pollResponseContent, pollStartContent } from "../../client/src/core/poll-model.ts";

const A = "ville-a.test";
const B = "agglo-b.test";

interface Note { title: string; body: string }

let txn = 0;
const send = async (base: string, who: Agent, roomId: string, type: string, content: Record<string, unknown>): Promise<string> =>
  String((await api(base, who, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/${type}/t${++txn}`, content))["event_id"]);

const poll = (page: Page, question: string) => page.getByRole("group", { name: question });
const notes = (page: Page): Promise<Note[]> => page.evaluate(() => (globalThis as unknown as { __notes: { title: string; body: string }[] }).__notes.map((n) => ({ title: n.title, body: n.body })));

interface SyncBody { to_device?: { events?: unknown[] }; rooms?: { join?: Record<string, { timeline?: { events?: { type: string }[] } }> } }

/**
 * Bob's /sync responses with their to-device messages (room keys) held back from the first
 * intercepted sync until the room's first encrypted event has been delivered, then handed over in
 * the sync after `release`. `intercepting(wake)` makes sure the sync in flight when the route was
 * set (not intercepted) is over; `release(wake)` ends the hold and wakes Bob's next sync.
 */
function holdToDevice(page: Page, roomId: string): { intercepting(wake: () => Promise<unknown>): Promise<void>; eventDelivered(): Promise<void>; release(wake: () => Promise<unknown>): Promise<void> } {
  let holding = true;
  let intercepted = 0;
  const held: unknown[] = [];
  let delivered = false;
  const routed = page.route((u) => u.pathname.endsWith("/sync"), async (route) => {
    intercepted++;
    const response = await route.fetch();
    const body = (await response.json()) as SyncBody;
    if (holding) {
      held.push(...(body.to_device?.events ?? []));
      body.to_device = { events: [] };
      if (body.rooms?.join?.[roomId]?.timeline?.events?.some((e) => e.type === "m.room.encrypted") === true) delivered = true;
    } else if (held.length > 0) {
      body.to_device = { events: [...held.splice(0), ...(body.to_device?.events ?? [])] };
    }
    await route.fulfill({ response, json: body });
  });
  return {
    eventDelivered: async () => { await waitFor("the encrypted event delivered to Bob, its key held back", () => (delivered ? true : undefined), 30_000); },
    intercepting: async (wake) => {
      await routed;
      await wake();
      await waitFor("Bob's next sync intercepted", () => (intercepted > 0 ? true : undefined), 30_000);
    },
    release: async (wake) => {
      assert.ok(held.some((e) => (e as { type?: string }).type === "m.room.encrypted"), "an Olm-encrypted to-device message (the room key) was held back");
      holding = false;
      await wake();
      await waitFor("the held keys delivered", () => (held.length === 0 ? true : undefined), 30_000);
    },
  };
}

/**
 * When the encrypted mention does not ring (or its key never reached Bob): Bob's page (screenshot, then the room opened: decrypted
 * text or "undecryptable"), and what each side's server says of Bob's devices (A's copy is what
 * Alice's client encrypts for). Written to tests/artifacts/encrypted-mention.json, summed up in the error.
 */
async function encryptedMentionDiagnostics(bobPage: Page, aUrl: string, alice: Agent, bUrl: string, bob: Agent): Promise<string> {
  await screenshot(bobPage, "encrypted-mention-bob").catch(() => undefined);
  const notesSeen = await notes(bobPage).catch((e: unknown) => String(e));
  await bobPage.getByRole("link", { name: /Dossier chiffré/ }).click({ timeout: 10_000 }).catch(() => undefined);
  const last = bobPage.locator("article").filter({ hasText: /devis chiffré|déchiffr|decrypt/i }).last();
  const bobSees = await last.innerText({ timeout: 10_000 }).catch(() => "(no such message in Bob's timeline)");
  await screenshot(bobPage, "encrypted-mention-bob-room").catch(() => undefined);
  const devices = async (base: string, who: Agent): Promise<unknown> =>
    ((await api(base, who, "POST", "/keys/query", { device_keys: { [bob.userId]: [] } }).catch((e: unknown): Record<string, unknown> => ({ error: String(e) })))["device_keys"] as Record<string, Record<string, unknown>> | undefined)?.[bob.userId];
  const [seenOnA, seenOnB] = [await devices(aUrl, alice), await devices(bUrl, bob)];
  const report = { notesSeen, bobSees, bobDevice: bob.deviceId, bobDevicesOnA: Object.keys(seenOnA ?? {}), bobDevicesOnB: Object.keys(seenOnB ?? {}) };
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, "encrypted-mention.json"), JSON.stringify({ ...report, seenOnA, seenOnB }, null, 2));
  return JSON.stringify(report);
}

describe("web client in Chromium: image previews, closing polls, browser notifications", function () {
  this.timeout(240_000);
  const app = useCouncilsClient([A, B]);

  /** A page already signed in (saved session); notifications allowed and spied on. */
  async function open(base: string, who: Agent): Promise<Page> {
    const ctx = await app.newContext();
    await ctx.grantPermissions(["notifications"], { origin: new URL(app.web.url).origin });
    await addSavedSession(ctx, base, who);
    await recordRevokedObjectUrls(ctx);
    await ctx.addInitScript(() => {
      const g = globalThis as unknown as { Notification: { permission: string; requestPermission(): Promise<string> }; __notes: unknown[] };
      // The spy records what the page shows (and still asks the real Notification for permission).
      const Real = g.Notification;
      g.__notes = [];
      class Spy extends EventTarget {
        onclick: (() => void) | null = null;
        title: string;
        body: string;
        constructor(title: string, opts?: { body?: string }) {
          super();
          this.title = title;
          this.body = opts?.body ?? "";
          g.__notes.push(this);
        }
        static get permission(): string { return Real.permission; }
        static requestPermission(): Promise<string> { return Real.requestPermission(); }
        close(): void { /* nothing shown */ }
      }
      (g as unknown as { Notification: unknown }).Notification = Spy;
    });
    const page = await ctx.newPage();
    await page.goto(app.web.url);
    return page;
  }

  it("previews an image, closes polls as Element does, and notifies mentions and DMs", async () => {
    const [aUrl, bUrl] = [app.fed.get(A).url, app.fed.get(B).url];
    const alice = await registerUser(aUrl, "alice");
    const bob = await registerUser(bUrl, "bob");
    const carol = await registerUser(aUrl, "carol");
    const { room_id: roomId } = (await api(aUrl, alice, "POST", "/createRoom", { name: "Marché de Noël", preset: "private_chat", invite: [bob.userId, carol.userId] })) as { room_id: string };
    const { room_id: dmId } = (await api(aUrl, alice, "POST", "/createRoom", { preset: "trusted_private_chat", is_direct: true, invite: [bob.userId] })) as { room_id: string };
    const { room_id: secretId } = (await api(aUrl, alice, "POST", "/createRoom", {
      name: "Dossier chiffré", preset: "private_chat", invite: [bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })) as { room_id: string };
    await api(aUrl, carol, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    for (const id of [roomId, dmId, secretId]) {
      await waitFor("bob joins over federation", () => api(bUrl, bob, "POST", `/join/${encodeURIComponent(id)}?server_name=${A}`, {}).then(() => true, () => undefined), 30_000);
    }
    await api(bUrl, bob, "PUT", `/user/${encodeURIComponent(bob.userId)}/account_data/m.direct`, { [alice.userId]: [dmId] });

    // A plain image with its size, and two polls: Alice's and Carol's.
    // Large enough for the server's scaled thumbnail to be smaller than the image.
    const png = solidPng(1600, 1200, [20, 120, 200]);
    const up = await fetch(`${aUrl}/_matrix/media/v3/upload?filename=affiche.png`, { method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "image/png" }, body: png });
    const mxc = String(((await up.json()) as { content_uri: string }).content_uri);
    await send(aUrl, alice, roomId, "m.room.message", { msgtype: "m.image", body: "affiche.png", url: mxc, info: { mimetype: "image/png", size: png.length, w: 1600, h: 1200 } });
    const standPoll = await send(aUrl, alice, roomId, POLL_START, pollStartContent("Quel stand ?", ["chalets", "vin chaud"]));
    await send(aUrl, carol, roomId, POLL_START, pollStartContent("Horaires ?", ["matin", "soir"]));

    const bobPage = await open(bUrl, bob);
    await bobPage.getByRole("link", { name: /Marché de Noël/ }).click({ timeout: 60_000 });

    const thumb = bobPage.locator("img[alt=\"affiche.png\"]").first();
    await thumb.waitFor({ timeout: 60_000 });
    type Img = { naturalWidth: number; width: number; height: number };
    assert.deepEqual(await thumb.evaluate((img) => [(img as unknown as Img).width, (img as unknown as Img).height]), [320, 240], "space from info.w/h, scaled into the preview box");
    // The preview is the server's scaled thumbnail (fetched over federation), not the 1600-pixel image.
    await waitFor("the thumbnail decoded", async () => ((await thumb.evaluate((img) => (img as unknown as Img).naturalWidth)) > 0 ? true : undefined), 30_000);
    assert.equal(await thumb.evaluate((img) => (img as unknown as Img).naturalWidth), 640);
    await bobPage.getByRole("button", { name: "Agrandir l'image affiche.png" }).click();
    const viewer = bobPage.getByRole("dialog", { name: "Image : affiche.png" });
    const fullImg = viewer.getByRole("img", { name: "affiche.png" });
    const fullUrl = (await fullImg.getAttribute("src", { timeout: 30_000 })) ?? "";
    await waitFor("the full image decoded", async () => ((await fullImg.evaluate((img) => (img as unknown as Img).naturalWidth)) === 1600 ? true : undefined), 30_000);
    const download = bobPage.waitForEvent("download");
    await viewer.getByRole("button", { name: "Télécharger" }).click();
    assert.equal((await download).suggestedFilename(), "affiche.png");
    await bobPage.keyboard.press("Escape");
    await viewer.waitFor({ state: "hidden" });
    // The dialog's close event comes a task after it is hidden.
    await waitFor("viewer object URL revoked", async () => ((await bobPage.evaluate(() => (globalThis as unknown as { __revoked: string[] }).__revoked)).includes(fullUrl) ? true : undefined), 10_000);
    await screenshot(bobPage, "image-preview");

    // Polls: Bob (a plain member) votes and cannot close others' polls.
    await poll(bobPage, "Quel stand ?").getByRole("button", { name: /vin chaud/ }).click({ timeout: 30_000 });
    await poll(bobPage, "Quel stand ?").getByRole("button", { name: "vin chaud — 1" }).waitFor({ timeout: 30_000 });
    assert.equal(await poll(bobPage, "Horaires ?").getByRole("button", { name: "Clore le sondage" }).count(), 0, "a member cannot close Carol's poll");

    const alicePage = await open(aUrl, alice);
    await alicePage.getByRole("link", { name: /Marché de Noël/ }).click({ timeout: 60_000 });
    await poll(alicePage, "Quel stand ?").getByRole("button", { name: "Clore le sondage" }).click({ timeout: 60_000 });
    await poll(alicePage, "Quel stand ?").getByRole("button", { name: "Confirmer : clore le sondage" }).click();
    await poll(bobPage, "Quel stand ?").getByText("Sondage clos : résultats définitifs (1 votant).").waitFor({ timeout: 30_000 });
    assert.equal(await poll(bobPage, "Quel stand ?").getByRole("button", { name: "vin chaud — 1" }).isDisabled(), true, "no more voting");
    const ends = ((await api(aUrl, alice, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`))["chunk"] as { type: string; content: Record<string, unknown> }[]).filter((e) => e.type === POLL_END);
    assert.deepEqual(ends[0]?.content, {
      "m.relates_to": { rel_type: "m.reference", event_id: standPoll }, [POLL_END]: {},
      "org.matrix.msc1767.text": "Le sondage est clos. Réponse en tête : vin chaud", body: "Le sondage est clos. Réponse en tête : vin chaud", msgtype: "m.text",
    }, "the end event as Element sends it");
    // A vote after the end is ignored (MSC3381): Carol's late vote changes nothing.
    await send(aUrl, carol, roomId, POLL_RESPONSE, pollResponseContent(standPoll, "a1"));
    await send(aUrl, carol, roomId, "m.room.message", { msgtype: "m.text", body: "Trop tard pour voter" });
    await bobPage.locator("article").filter({ hasText: "Trop tard pour voter" }).waitFor({ timeout: 30_000 });
    assert.equal(await poll(bobPage, "Quel stand ?").getByRole("button", { name: "chalets — 0" }).count(), 1, "the late vote is not counted");

    // Alice may close Carol's poll: as the room's creator she may redact others' messages.
    await poll(alicePage, "Horaires ?").getByRole("button", { name: "Clore le sondage" }).click();
    await poll(alicePage, "Horaires ?").getByRole("button", { name: "Confirmer : clore le sondage" }).click();
    await poll(bobPage, "Horaires ?").getByText(/Sondage clos/).waitFor({ timeout: 30_000 });
    await screenshot(bobPage, "poll-closed");

    // Browser notifications: off by default, switched on by Bob (permission already granted).
    assert.equal(await bobPage.getByLabel("Notifications du navigateur").isChecked(), false);
    await bobPage.getByLabel("Notifications du navigateur").check();
    await bobPage.getByRole("link", { name: /alice/ }).first().click();
    const mention = { "m.mentions": { user_ids: [bob.userId] } };
    await send(aUrl, alice, roomId, "m.room.message", { msgtype: "m.text", body: "bob, tu valides le plan ?", ...mention });
    await send(aUrl, alice, roomId, "m.room.message", { msgtype: "m.text", body: "Rien de spécial" });
    await waitFor("the mention notified", async () => ((await notes(bobPage)).length > 0 ? true : undefined), 30_000);
    // Bob opens the room: what is on screen does not notify, a DM in another room does.
    await bobPage.getByRole("link", { name: /Marché de Noël/ }).click();
    await bobPage.locator("article").filter({ hasText: "Rien de spécial" }).waitFor({ timeout: 30_000 });
    await send(aUrl, alice, roomId, "m.room.message", { msgtype: "m.text", body: "bob, sous tes yeux", ...mention });
    await bobPage.locator("article").filter({ hasText: "sous tes yeux" }).waitFor({ timeout: 30_000 });
    await send(aUrl, alice, dmId, "m.room.message", { msgtype: "m.text", body: "Un message direct" });
    await waitFor("the DM notified", async () => ((await notes(bobPage)).length > 1 ? true : undefined), 30_000);
    const shown = await notes(bobPage);
    assert.deepEqual(shown.map((n) => n.body), ["alice : bob, tu valides le plan ?", "alice : Un message direct"], "only the mention and the DM, not the ordinary message nor what was on screen");
    assert.equal(shown[0]?.title, "Marché de Noël");
    // In an encrypted room the server cannot see the mention: the client finds it after decryption,
    // even when the Megolm key (a to-device message, federated apart from the event) comes after
    // the event. Bob's syncs hold back their to-device messages until the event has reached him.
    const keys = holdToDevice(bobPage, secretId);
    await keys.intercepting(() => send(aUrl, alice, roomId, "m.room.message", { msgtype: "m.text", body: "Le devis arrive" }));
    await alicePage.getByRole("link", { name: /Dossier chiffré/ }).click({ timeout: 30_000 });
    await alicePage.getByLabel("Écrire un message").fill(`[bob](https://matrix.to/#/${bob.userId}) le devis chiffré est prêt`);
    await alicePage.getByLabel("Écrire un message").press("Enter");
    // Any failure from here (event not delivered, no room key sent to Bob, no notification) leaves the diagnostics.
    await (async () => {
      await keys.eventDelivered();
      assert.equal((await notes(bobPage)).length, 2, "no key yet, nothing to show");
      await keys.release(() => send(aUrl, alice, roomId, "m.room.message", { msgtype: "m.text", body: "Le devis est dans le dossier" }));
      await waitFor("the encrypted mention notified", async () => ((await notes(bobPage)).length > 2 ? true : undefined), 60_000);
    })().catch(async (e: unknown) => { throw new Error(`${e instanceof Error ? e.message : String(e)}; ${await encryptedMentionDiagnostics(bobPage, aUrl, alice, bUrl, bob)}`); });
    assert.deepEqual((await notes(bobPage))[2], { title: "Dossier chiffré", body: "alice : bob le devis chiffré est prêt" });
    // A click on the DM's notification opens that room.
    await bobPage.evaluate(() => (globalThis as unknown as { __notes: { onclick: (() => void) | null }[] }).__notes[1]?.onclick?.());
    await bobPage.getByRole("heading", { level: 1 }).filter({ hasText: shown[1]?.title ?? "?" }).waitFor({ timeout: 30_000 });
    await waitFor("the DM's room in the address", async () => (decodeURIComponent(await bobPage.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).includes(dmId) ? true : undefined), 10_000);
  });
});
