// The web client in English, in Chromium: the agent switches the language on the sign-in page,
// signs in, and the main screens (sign-in, room list, recovery key, timeline and composer, room
// settings, the new room dialog) carry the English texts and none of the French ones; the choice
// survives a reload.
// Every text and accessible label of the page is read, shadow roots included.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { launchChromium, screenshot } from "../harness/browser.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { messagesEn } from "../../client/src/core/i18n/messages-en.ts";
import { messagesFr } from "../../client/src/core/i18n/messages-fr.ts";

const A = "ville-a.test";
const PASSWORD = "correct horse battery staple";

/** The French texts that differ from their English: their longest fixed part (placeholders cut out). */
const frenchFragments: { key: string; text: string }[] = Object.entries(messagesFr).flatMap(([key, fr]) => {
  if (fr === messagesEn[key as keyof typeof messagesEn]) return [];
  const longest = fr.split(/\{\w+\}/).map((p) => p.trim()).sort((a, b) => b.length - a.length)[0] ?? "";
  return longest.length >= 4 ? [{ key, text: longest }] : [];
});

/** Every visible text node and accessible label (aria-label, placeholder, title, alt), through shadow roots. */
async function pageTexts(page: Page): Promise<string> {
  return page.evaluate(() => {
    // The root tsconfig has no DOM library: the few DOM shapes used here.
    interface DomNode { nodeType: number; textContent: string | null; childNodes: ArrayLike<DomNode>; tagName?: string; shadowRoot?: DomNode | null; getAttribute?(name: string): string | null }
    const out: string[] = [];
    const walk = (root: DomNode): void => {
      for (const n of Array.from(root.childNodes)) {
        if (n.nodeType === 3) out.push(n.textContent ?? "");
        else if (n.nodeType === 1) {
          if (n.tagName === "SCRIPT" || n.tagName === "STYLE") continue;
          for (const a of ["aria-label", "placeholder", "title", "alt"]) {
            const v = n.getAttribute?.(a) ?? null;
            if (v !== null) out.push(v);
          }
          if (n.shadowRoot !== undefined && n.shadowRoot !== null) walk(n.shadowRoot);
          walk(n);
        }
      }
    };
    walk((globalThis as unknown as { document: { body: DomNode } }).document.body);
    return out.join("\n");
  });
}

function assertNoFrench(text: string, screen: string): void {
  const left = frenchFragments.filter((f) => text.includes(f.text));
  assert.deepEqual(left.map((f) => `${f.key}: ${f.text}`), [], `French left on the ${screen} screen`);
}

describe("web client in Chromium: English", function () {
  this.timeout(180_000);
  let fed: TestFederation;
  let web: ServedClient;
  let browser: Browser;

  before(async () => {
    const [f, dist] = await Promise.all([startFederation([A]), ensureClientBuild()]);
    fed = f;
    web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, councils: [{ id: A, label: A, serverName: A, homeserverUrl: fed.get(A).url }] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await fed?.stop();
  });

  it("switches to English on the sign-in page; sign-in, room list, composer and settings have no French left; kept after a reload", async () => {
    assert.ok(frenchFragments.length > 100, "the French table is read");
    const url = fed.get(A).url;
    const alice = await registerUser(url, "alice", PASSWORD);
    const bob = await registerUser(url, "bob", PASSWORD);
    const headers = { Authorization: `Bearer ${bob.accessToken}`, "Content-Type": "application/json" };
    const created = await fetch(`${url}/_matrix/client/v3/createRoom`, { method: "POST", headers, body: JSON.stringify({ name: "Roads", topic: "Summer works", preset: "private_chat", invite: [alice.userId] }) });
    const { room_id: roomId } = (await created.json()) as { room_id: string };
    await fetch(`${url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, { method: "PUT", headers, body: JSON.stringify({ msgtype: "m.text", body: "Hello there" }) });
    const join = await fetch(`${url}/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, { method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/json" }, body: "{}" });
    assert.equal(join.status, 200);
    // An invitation left pending: its buttons' names in English typography (no space before the colon).
    await fetch(`${url}/_matrix/client/v3/createRoom`, { method: "POST", headers, body: JSON.stringify({ name: "Budget", preset: "private_chat", invite: [alice.userId] }) });

    // A French browser: French first, then the switch.
    const ctx = await browser.newContext({ locale: "fr-FR" });
    const page = await ctx.newPage();
    await page.goto(web.url);
    await page.getByRole("button", { name: "Se connecter" }).waitFor({ timeout: 60_000 });
    // The scanner sees the French texts inside the components' shadow roots.
    const before = await pageTexts(page);
    assert.ok(["Votre collectivité", "Mot de passe", "Se connecter"].every((x) => before.includes(x)), "French sign-in read through shadow roots");
    assert.ok(frenchFragments.some((f) => before.includes(f.text)), "the check finds French when it is there");
    await page.getByLabel("Langue").selectOption("en");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang), "en");
    await page.getByLabel("Your council").waitFor();
    assertNoFrench(await pageTexts(page), "sign-in");
    await screenshot(page, "english-sign-in");

    await page.locator("input[name=user]").fill("alice");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "I have saved my key" }).waitFor({ timeout: 90_000 });
    await page.getByRole("navigation", { name: "Room list" }).getByRole("button", { name: "New working group" }).waitFor();
    assertNoFrench(await pageTexts(page), "room list and recovery key");
    await page.getByRole("button", { name: "Accept: Budget", exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Decline: Budget", exact: true }).waitFor();
    await page.getByRole("button", { name: "I have saved my key" }).click();
    await page.getByRole("button", { name: "New room" }).click();
    await page.getByRole("dialog").getByLabel("Choose an image for the room (optional)").waitFor();
    assertNoFrench(await pageTexts(page), "new room dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("link", { name: /Roads/ }).click();
    await page.locator("article").filter({ hasText: "Hello there" }).waitFor({ timeout: 30_000 });
    await page.getByLabel("Write a message").first().waitFor();
    await page.getByRole("button", { name: "Send" }).first().waitFor();
    assertNoFrench(await pageTexts(page), "timeline and composer");
    await screenshot(page, "english-room");

    await page.getByRole("button", { name: "Room settings" }).click();
    await page.locator("ent-room-settings").getByText("Who can join this room?").waitFor({ timeout: 30_000 });
    await page.locator("ent-room-settings").getByRole("button", { name: "Leave the room" }).waitFor();
    await page.locator("ent-room-settings").getByText("Members (2)").waitFor({ timeout: 30_000 });
    assertNoFrench(await pageTexts(page), "room settings");
    await screenshot(page, "english-settings");

    // Persisted: a reload opens in English.
    await page.reload();
    await page.getByRole("navigation", { name: "Room list" }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Sign out" }).waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang), "en");
    assertNoFrench(await pageTexts(page), "room list after a reload");
    await ctx.close();
  });
});
