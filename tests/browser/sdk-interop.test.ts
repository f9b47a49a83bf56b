// Interoperability with a plain matrix-js-sdk client (what Element is built on): a room filled by
// the SDK (reply, edit, reaction, thread, poll in Element's unstable format) displays right in the
// web client, and an encrypted room made in the web client is read right by the SDK. Threads both
// ways: the SDK's thread opens in our panel, and our panel's reply reaches the SDK as a standard
// m.thread relation (falling back to the thread's latest event), in a clear and an encrypted room.
import assert from "node:assert/strict";
import * as sdk from "matrix-js-sdk";
import type { Browser, Page } from "playwright-core";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { startSyncing } from "../harness/matrix-client.ts";
import { launchChromium, screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";

const PASSWORD = "correct horse battery staple";
type Send = (roomId: string, type: string, content: Record<string, unknown>) => Promise<{ event_id: string }>;

describe("web client and a plain matrix-js-sdk client", function () {
  this.timeout(180_000);
  let hs: TestHomeserver;
  let web: ServedClient;
  let browser: Browser;
  let carol: sdk.MatrixClient;
  let page: Page;
  let serverName: string;

  before(async () => {
    const [h, dist] = await Promise.all([startTestHomeserver(), ensureClientBuild()]);
    hs = h;
    const alice = await registerUser(hs.url, "alice", PASSWORD);
    serverName = alice.userId.split(":")[1] ?? "";
    const c = await registerUser(hs.url, "carol", PASSWORD);
    carol = sdk.createClient({ baseUrl: hs.url, userId: c.userId, accessToken: c.accessToken, deviceId: c.deviceId });
    await carol.initRustCrypto({ useIndexedDB: false });
    await startSyncing(carol);
    web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, councils: [{ id: "c", label: "Commune", serverName, homeserverUrl: hs.url }] });
    browser = await launchChromium();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await page.goto(web.url);
    await page.locator("input[name=user]").fill("alice");
    await page.getByLabel("Mot de passe").fill(PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("button", { name: "J'ai enregistré ma clé" }).click({ timeout: 60_000 }).catch(async (e: unknown) => {
      await screenshot(page, "sdk-interop-sign-in-failure");
      throw e;
    });
  });
  after(async () => {
    carol?.stopClient();
    await browser?.close();
    await web?.close();
    await hs?.stop();
  });

  it("shows a room filled by the SDK: edit, reply, reaction, thread, poll", async () => {
    const { room_id: roomId } = await carol.createRoom({ name: "Rempli par le SDK", invite: [`@alice:${serverName}`] });
    const send = carol.sendEvent.bind(carol) as unknown as Send;
    const first = await send(roomId, "m.room.message", { msgtype: "m.text", body: "Premier" });
    const reply = await send(roomId, "m.room.message", { msgtype: "m.text", body: "> <@carol> Premier\n\nUne réponse", "m.relates_to": { "m.in_reply_to": { event_id: first.event_id } } });
    await send(roomId, "m.room.message", { msgtype: "m.text", body: "* Premier (corrigé)", "m.new_content": { msgtype: "m.text", body: "Premier (corrigé)" }, "m.relates_to": { rel_type: "m.replace", event_id: first.event_id } });
    await send(roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: reply.event_id, key: "🎉" } });
    const inThread = await send(roomId, "m.room.message", { msgtype: "m.text", body: "Dans le fil", "m.relates_to": { rel_type: "m.thread", event_id: first.event_id, is_falling_back: true, "m.in_reply_to": { event_id: first.event_id } } });
    const poll = await send(roomId, "org.matrix.msc3381.poll.start", {
      "org.matrix.msc3381.poll.start": { kind: "org.matrix.msc3381.poll.disclosed", max_selections: 1, question: { "org.matrix.msc1767.text": "Cantine bio ?" }, answers: [{ id: "oui", "org.matrix.msc1767.text": "Oui" }, { id: "non", "org.matrix.msc1767.text": "Non" }] },
      "org.matrix.msc1767.text": "Cantine bio ?\n1. Oui\n2. Non",
    });
    await send(roomId, "org.matrix.msc3381.poll.response", { "m.relates_to": { rel_type: "m.reference", event_id: poll.event_id }, "org.matrix.msc3381.poll.response": { answers: ["oui"] } });

    await page.getByRole("button", { name: "Accepter : Rempli par le SDK" }).click({ timeout: 30_000 });
    await page.getByRole("link", { name: /Rempli par le SDK/ }).click({ timeout: 30_000 });
    const first$ = page.locator(`article[data-event-id="${first.event_id}"]`);
    await first$.getByText("Premier (corrigé)").waitFor({ timeout: 30_000 });
    await first$.getByText("(modifié)").waitFor();
    await first$.getByRole("button", { name: /^Ouvrir le fil : 1 réponse/ }).waitFor();
    await first$.getByText("Dernière réponse de carol : Dans le fil").waitFor();
    const reply$ = page.locator(`article[data-event-id="${reply.event_id}"]`);
    await reply$.getByText("En réponse à carol").waitFor();
    assert.equal((await reply$.locator(".body").textContent())?.trim(), "Une réponse", "the quoted fallback is not shown");
    // The reaction button says who reacted; mine is pressed, and the keyboard toggles it.
    const party = reply$.getByRole("button", { name: "🎉 : 1 réaction, de carol" });
    await party.waitFor();
    assert.equal(await party.getAttribute("aria-pressed"), "false");
    await party.focus();
    await page.keyboard.press("Enter");
    const both = reply$.getByRole("button", { name: /^🎉 : 2 réactions, de carol et vous$/ });
    await both.waitFor({ timeout: 30_000 });
    assert.equal(await both.getAttribute("aria-pressed"), "true");
    assert.equal((await both.textContent())?.trim(), "🎉 2");
    assert.equal(await page.locator(`article[data-event-id="${inThread.event_id}"]`).count(), 0, "thread replies stay out of the main timeline");
    assert.equal(await page.getByText("Dans le fil", { exact: true }).count(), 0);
    await page.getByRole("group", { name: "Cantine bio ?" }).getByRole("button", { name: "Non" }).click();
    await page.getByRole("group", { name: "Cantine bio ?" }).getByRole("button", { name: "Oui — 1" }).waitFor({ timeout: 30_000 });
    // Alice's vote is in Element's format, read back by the SDK side.
    await waitFor("carol receives alice's vote", () => carol.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => e.getType() === "org.matrix.msc3381.poll.response" && e.getSender() === `@alice:${serverName}`), 30_000);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "sdk-filled-room");

    // The SDK's thread opens in the panel; alice's answer there is a standard m.thread reply.
    await first$.getByRole("button", { name: /^Ouvrir le fil : 1 réponse/ }).click();
    const panel = page.locator("ent-thread-panel");
    await panel.locator(`article[data-event-id="${inThread.event_id}"]`).getByText("Dans le fil").waitFor({ timeout: 30_000 });
    await panel.locator(`article[data-event-id="${first.event_id}"]`).getByText("Premier (corrigé)").waitFor();
    await panel.getByLabel("Répondre dans le fil").fill("Réponse d'Alice dans le fil");
    await panel.getByLabel("Répondre dans le fil").press("Enter");
    const answer = await waitFor("carol receives alice's thread reply", () => carol.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => e.getContent()["body"] === "Réponse d'Alice dans le fil"), 30_000);
    assert.deepEqual(answer.getContent()["m.relates_to"], { rel_type: "m.thread", event_id: first.event_id, is_falling_back: true, "m.in_reply_to": { event_id: inThread.event_id } });
    assert.equal(answer.threadRootId, first.event_id, "the SDK files it in the thread");
    await panel.locator(`article[data-event-id="${answer.getId() ?? ""}"]`).waitFor({ timeout: 30_000 });
    await first$.getByRole("button", { name: /^Ouvrir le fil : 2 réponses/ }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator(`ent-room .pane > ent-timeline article[data-event-id="${answer.getId() ?? ""}"]`).count(), 0, "not in the main timeline");
    await first$.getByText("Dernière réponse de alice : Réponse d'Alice dans le fil").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "sdk-thread-panel");
    await panel.getByRole("button", { name: "Fermer le fil" }).click();
  });

  it("an encrypted room made in the web client reads right in the SDK", async () => {
    await page.getByRole("button", { name: "Nouveau salon" }).click();
    await page.getByRole("dialog").getByLabel("Nom").fill("Fait dans Entente");
    await page.getByRole("dialog").getByRole("button", { name: "Créer" }).click();
    await page.getByRole("heading", { name: /Fait dans Entente/ }).waitFor();
    await page.getByLabel("Identifiant de la personne à inviter (toute collectivité)").fill(`@carol:${serverName}`);
    await page.getByRole("button", { name: "Inviter" }).click();
    const roomId = await waitFor("carol invited", () => carol.getRooms().find((r) => r.name === "Fait dans Entente" && r.getMyMembership() === "invite")?.roomId);
    await carol.joinRoom(roomId);
    // Carol's own encrypted message reaching the page also proves alice's client has seen her join.
    await (carol.sendEvent.bind(carol) as unknown as Send)(roomId, "m.room.message", { msgtype: "m.text", body: "Bonjour depuis le SDK" });
    await page.locator("article").filter({ hasText: "Bonjour depuis le SDK" }).waitFor({ timeout: 30_000 });
    await page.getByLabel("Écrire un message").fill("Ordre du jour **validé**");
    await page.getByLabel("Écrire un message").press("Enter");
    const msg = await waitFor("carol decrypts the message", () => carol.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => e.getType() === "m.room.message" && !e.isDecryptionFailure() && e.getContent()["body"] === "Ordre du jour **validé**"), 30_000);
    assert.equal(msg.isEncrypted(), true, "sent encrypted");
    assert.equal(msg.getContent()["format"], "org.matrix.custom.html");
    assert.match(String(msg.getContent()["formatted_body"]), /<strong>validé<\/strong>/);
    const room = carol.getRoom(roomId);
    assert.equal(room?.name, "Fait dans Entente");
    assert.equal(room?.hasEncryptionStateEvent(), true);

    await page.locator(`article[data-event-id="${msg.getId() ?? ""}"]`).getByRole("button", { name: "Répondre" }).click();
    await page.getByLabel("Écrire un message").fill("Et une réponse");
    await page.getByLabel("Écrire un message").press("Enter");
    const r = await waitFor("carol decrypts the reply", () => carol.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => e.getType() === "m.room.message" && e.getContent()["body"] === "Et une réponse"), 30_000);
    assert.equal(r.replyEventId, msg.getId(), "a standard reply (m.in_reply_to)");

    // An encrypted thread: carol starts it on alice's message, alice reads and answers in the panel.
    const carolInThread = await (carol.sendEvent.bind(carol) as unknown as Send)(roomId, "m.room.message", {
      msgtype: "m.text", body: "Fil chiffré depuis le SDK", "m.relates_to": { rel_type: "m.thread", event_id: msg.getId(), is_falling_back: true, "m.in_reply_to": { event_id: msg.getId() } },
    });
    const root$ = page.locator(`ent-room .pane > ent-timeline article[data-event-id="${msg.getId() ?? ""}"]`);
    await root$.getByRole("button", { name: /^Ouvrir le fil : 1 réponse/ }).click({ timeout: 30_000 });
    const panel = page.locator("ent-thread-panel");
    await panel.locator(`article[data-event-id="${carolInThread.event_id}"]`).getByText("Fil chiffré depuis le SDK").waitFor({ timeout: 30_000 });
    await panel.getByLabel("Répondre dans le fil").fill("Réponse chiffrée dans le fil");
    await panel.getByRole("button", { name: "Envoyer" }).click();
    const answer = await waitFor("carol decrypts alice's thread reply", () => carol.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => !e.isDecryptionFailure() && e.getContent()["body"] === "Réponse chiffrée dans le fil"), 30_000);
    assert.equal(answer.isEncrypted(), true);
    assert.deepEqual(answer.getWireContent()["m.relates_to"], { rel_type: "m.thread", event_id: msg.getId(), is_falling_back: true, "m.in_reply_to": { event_id: carolInThread.event_id } }, "the relation stays readable to the server");
    assert.equal(answer.threadRootId, msg.getId());
  });
});
