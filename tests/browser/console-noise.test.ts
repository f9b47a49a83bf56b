// What the signed-in client puts in the console, in Chromium against a real homeserver, for the
// two messages the Dossiers walk saw on every page:
// - « Couldn't find timeline for thread ID … »: matrix-js-sdk's, for every live m.thread reply of
//   mine in an encrypted room (a dossier's share notice in its file's thread): the client runs the
//   SDK without thread support (client/src/core/sdk-log-filter.ts says why it is harmless). Gone.
// - GET /room_keys/version 404: the spec's answer when the account has no key backup yet. At the
//   first sign-in the client asks (the SDK's crypto at start, then prepareSecureBackup) and creates
//   the backup: the 404s are bounded, not a loop. Chromium's own « Failed to load resource » line
//   for them is the browser's network log, which a page cannot silence.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { screenshotOnFailure } from "../harness/browser.ts";
import { clientApi as api, openSignedIn, useCouncilsClient } from "../harness/client-pages.ts";

const A = "ville-a.test";
const enc = encodeURIComponent;

describe("web client console: no SDK thread-timeline warning, a bounded key-backup probe (Chromium)", function () {
  this.timeout(180_000);
  const app = useCouncilsClient([A]);
  let page: Page | undefined;
  screenshotOnFailure("console-noise", () => page);

  it("a thread reply of mine in an encrypted room logs nothing; /room_keys/version is asked twice, then the backup exists", async () => {
    const url = app.fed.get(A).url;
    const alice = await registerUser(url, "alice");
    const { room_id: roomId } = (await api(url, alice, "POST", "/createRoom", {
      name: "Dossier chiffré", preset: "private_chat",
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })) as { room_id: string };
    const warnings: string[] = [];
    const backupAnswers: number[] = [];
    let syncs = 0;
    page = await openSignedIn(app.browser, app.web.url, url, alice);
    const chatter: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "warning" || m.type() === "error") warnings.push(m.text());
      if (m.type() === "debug" || m.type() === "info" || m.type() === "log") chatter.push(`${m.type()}: ${m.text()}`);
    });
    page.on("response", (r) => {
      if (r.request().method() === "GET" && r.url().endsWith("/room_keys/version")) backupAnswers.push(r.status());
      if (r.url().includes("/sync")) syncs++;
    });
    await page.getByRole("link", { name: /Dossier chiffré/ }).waitFor({ timeout: 60_000 });
    // As the client sends a share notice: an m.thread reply to the file's event (same account).
    const { event_id: root } = (await api(url, alice, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/r1`, { msgtype: "m.text", body: "convention.pdf" })) as { event_id: string };
    await api(url, alice, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/t1`, {
      msgtype: "m.notice", body: "Lien de partage créé", "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } },
    });
    // The reply reaches the page in the next sync; a few more go by.
    const from = syncs;
    await waitFor("six more syncs", () => (syncs >= from + 6 ? true : undefined), 120_000);
    assert.deepEqual(warnings.filter((w) => w.includes("Couldn't find timeline for thread ID")), []);
    // The SDK's copies of unstable push-rule ids (our server sends the spec's rules), and its
    // debug chatter in a production build: not in the console.
    assert.deepEqual(warnings.filter((w) => w.includes("push rule")), []);
    assert.deepEqual(chatter, []);
    // The backup made at this first sign-in answers 200 from then on; before it, 404 (spec: no backup).
    assert.ok(backupAnswers.filter((s) => s === 404).length <= 2, JSON.stringify(backupAnswers));
    const backup = await api(url, alice, "GET", "/room_keys/version");
    assert.equal(typeof backup["version"], "string", "the client created the key backup");
  });
});
