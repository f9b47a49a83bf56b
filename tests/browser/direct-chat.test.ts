// Starting a direct chat from the web client, across councils, in Chromium against two real
// federating homeservers. The client listed direct messages other clients had started but offered no
// way to start one (found by a walk of the demo): « Nouvelle conversation » asks for the person's
// Matrix ID (checked in our words: malformed, or one's own), creates an encrypted room with the
// person invited with is_direct (preset trusted_private_chat), records it in m.direct and opens it;
// asking again for the same person opens the same room.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient } from "../harness/client-pages.ts";

const A = "ville-a.test";
const B = "agglo-b.test";

describe("room list: « Nouvelle conversation » starts a direct chat (Chromium, two councils)", function () {
  this.timeout(180_000);
  const app = useCouncilsClient([A, B]);
  let page: Page | undefined;
  screenshotOnFailure("direct-chat", () => page);

  it("checks the ID, creates an encrypted room with the invite marked direct, records m.direct, and opens the same room the next time", async () => {
    const urlA = app.fed.get(A).url;
    const urlB = app.fed.get(B).url;
    const alice = await registerUser(urlA, "alice");
    const bob = await registerUser(urlB, "bob");
    page = await openSignedIn(app.browser, app.web.url, urlA, alice);
    const start = page.getByRole("button", { name: "Nouvelle conversation" });
    // pressed as soon as it shows (the list is usable while encryption starts): the dialog opens once ready
    await start.click({ timeout: 60_000 });
    const dialog = page.getByRole("dialog", { name: "Nouvelle conversation" });
    const field = dialog.getByLabel("Avec (identifiant Matrix)");
    await field.fill("bob");
    await dialog.getByRole("button", { name: "Démarrer" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Identifiant invalide : il s'écrit @nom:serveur" }).waitFor();
    await field.fill(alice.userId);
    await dialog.getByRole("button", { name: "Démarrer" }).click();
    await dialog.getByRole("alert").filter({ hasText: "C'est votre propre identifiant" }).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await field.fill(bob.userId);
    await field.press("Enter");

    const direct = await waitFor("m.direct names Bob's room", async () => {
      try {
        const content = await api(urlA, alice, "GET", `/user/${encodeURIComponent(alice.userId)}/account_data/m.direct`);
        const rooms = content[bob.userId];
        return Array.isArray(rooms) && rooms.length > 0 ? (rooms as string[]) : undefined;
      } catch {
        return undefined;
      }
    }, 60_000);
    assert.equal(direct.length, 1);
    const roomId = direct[0]!;
    const encryption = await api(urlA, alice, "GET", `/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`);
    assert.equal(encryption["algorithm"], "m.megolm.v1.aes-sha2");
    // Bob's council received the invite, marked direct
    const invite = await waitFor("Bob's invite, over federation", async () => {
      const sync = await api(urlB, bob, "GET", "/sync?timeout=0");
      const invited = ((sync["rooms"] as Record<string, unknown> | undefined)?.["invite"] ?? {}) as Record<string, { invite_state?: { events?: { type: string; state_key?: string; content: Record<string, unknown> }[] } }>;
      return invited[roomId]?.invite_state?.events?.find((e) => e.type === "m.room.member" && e.state_key === bob.userId);
    }, 60_000);
    assert.equal(invite.content["is_direct"], true);
    // the room is open and listed among direct messages
    await page.waitForURL((u) => decodeURIComponent(u.hash).includes(roomId), { timeout: 30_000 });
    await page.getByRole("heading", { name: "Messages directs" }).waitFor({ timeout: 30_000 });

    // the same person again: the same room, nothing new
    await start.click();
    await field.fill(bob.userId);
    await dialog.getByRole("button", { name: "Démarrer" }).click();
    await page.waitForURL((u) => decodeURIComponent(u.hash).includes(roomId), { timeout: 30_000 });
    const joined = (await api(urlA, alice, "GET", "/joined_rooms"))["joined_rooms"] as string[];
    assert.deepEqual(joined, [roomId], "no second room");
  });
});
