// The web client in Chromium, two councils, a plain (unencrypted) room set up over the API so the
// browsers only do what is checked: the server's unread count as badge and page title, "jump to
// the first unread", read receipts, the typing indicator, and @-mention completion across councils
// (a member of the other council, and a full Matrix id known only through federation).
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshot } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient, type Agent } from "../harness/client-pages.ts";

const A = "ville-a.test";
const B = "agglo-b.test";

describe("web client in Chromium: unread, receipts, typing, mentions", function () {
  this.timeout(180_000);
  const app = useCouncilsClient([A, B]);

  /** A page already signed in (saved session), as after a reload. */
  const open = (base: string, who: Agent): Promise<Page> => openSignedIn(app.browser, app.web.url, base, who);

  it("shows server unread counts, jumps to the first unread, shows receipts and typing, completes mentions across councils", async () => {
    const [aUrl, bUrl] = [app.fed.get(A).url, app.fed.get(B).url];
    const alice = await registerUser(aUrl, "alice");
    const bob = await registerUser(bUrl, "bob");
    await registerUser(aUrl, "carol");
    const { room_id: roomId } = (await api(aUrl, alice, "POST", "/createRoom", { name: "Marchés publics", preset: "private_chat", invite: [bob.userId] })) as { room_id: string };
    // The invitation crosses federation first; joining before it arrives is refused.
    await waitFor("bob joins over federation", () => api(bUrl, bob, "POST", `/join/${encodeURIComponent(roomId)}?server_name=${A}`, {}).then(() => true, () => undefined), 30_000);
    await api(bUrl, bob, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b1`, { msgtype: "m.text", body: "Bonjour, je suis là" });
    for (const [i, text] of ["Premier point", "Deuxième point", "Troisième point"].entries()) {
      // the last one mentions Bob (m.mentions, as the client sends it): a highlight for his server
      const mention = i === 2 ? { body: `${text}, ${bob.userId} qu'en pensez-vous ?`, "m.mentions": { user_ids: [bob.userId] } } : { body: text };
      await api(aUrl, alice, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/a${i}`, { msgtype: "m.text", ...mention });
    }

    const bobPage = await open(bUrl, bob);
    const link = bobPage.getByRole("link", { name: /Marchés publics/ });
    // The server's count (push rules evaluated by the homeserver), once federation delivered all three.
    // The mention is told apart: in the badge's words, and seen (« @ », not only a colour).
    const badge = link.getByLabel("3 non lus, dont 1 mention", { exact: true });
    await badge.waitFor({ timeout: 60_000 });
    assert.equal((await badge.textContent())?.replace(/\s+/g, ""), "@3");
    await waitFor("the count in the page title", async () => ((await bobPage.title()).startsWith("(3) ") ? true : undefined), 30_000);

    await link.click();
    const jump = bobPage.getByRole("button", { name: "Aller au premier message non lu" });
    await jump.waitFor({ timeout: 60_000 });
    await jump.click();
    const first = bobPage.locator("article").filter({ hasText: "Premier point" });
    assert.equal(await first.evaluate((el) => el.matches(":focus")), true, "the first unread message has the focus");
    // Opening the room sent a read receipt: the server's count drops, badge and title follow.
    await badge.waitFor({ state: "detached", timeout: 30_000 });
    await waitFor("the page title without a count", async () => (!(await bobPage.title()).startsWith("(") ? true : undefined), 30_000);

    const alicePage = await open(aUrl, alice);
    await alicePage.getByRole("link", { name: /Marchés publics/ }).click({ timeout: 60_000 });
    await alicePage.locator("article").filter({ hasText: "Troisième point" }).getByText("Lu par bob").waitFor({ timeout: 30_000 });

    const composer = bobPage.getByLabel("Écrire un message");
    await composer.pressSequentially("Je regarde ");
    await alicePage.getByText("bob écrit…").waitFor({ timeout: 30_000 });

    // A member of the other council, offered from the room's members.
    await composer.pressSequentially("@ali");
    await bobPage.getByRole("listbox", { name: "Personnes suggérées" }).getByRole("option", { name: /alice/ }).waitFor({ timeout: 30_000 });
    await composer.press("Enter");
    // Someone of the other council who shares no room with bob: found by their full id (profile over federation).
    await composer.pressSequentially("et @carol:ville-a.test");
    await bobPage.getByRole("option", { name: /@carol:ville-a\.test/ }).waitFor({ timeout: 30_000 });
    await composer.press("Tab");
    assert.equal(await composer.inputValue(), `Je regarde [alice](https://matrix.to/#/${alice.userId}) et [carol](https://matrix.to/#/@carol:${A}) `);
    await composer.press("Enter");
    await screenshot(bobPage, "room-mentions");

    const sent = alicePage.locator("article").filter({ hasText: "Je regarde" });
    await sent.getByRole("link", { name: "alice" }).waitFor({ timeout: 30_000 });
    await alicePage.getByText("bob écrit…").waitFor({ state: "detached", timeout: 30_000 });
    const messages = await api(aUrl, alice, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=5`);
    const mentionEvent = (messages["chunk"] as { content: Record<string, unknown> }[]).find((e) => String(e.content["body"]).startsWith("Je regarde"));
    assert.deepEqual(mentionEvent?.content["m.mentions"], { user_ids: [alice.userId, `@carol:${A}`] });
    assert.equal(mentionEvent?.content["body"], "Je regarde alice et carol");
  });
});
