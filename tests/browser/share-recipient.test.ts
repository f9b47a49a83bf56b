// Issue 15, citizen sharing: the recipient page in Chromium. A wrong password gets the French
// message and costs no download; the right one downloads, decrypts in the page (openpgp, AEAD,
// Argon2) and saves a byte-identical file; a revoked link shows its French message.
import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../harness/browser.ts";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { startShareService, type RunningShareService } from "../../appservices/share/src/share-server.ts";
import { createShare, encryptForShare, listShares, revokeShare, sharePassword } from "../../appservices/share/src/share-client.ts";
import { FRENCH } from "../../appservices/share/src/share-rules.ts";

describe("citizen sharing: recipient page in Chromium", function () {
  this.timeout(180_000);
  let hs: TestHomeserver;
  let svc: RunningShareService;
  let browser: Browser;
  let dir: string;

  before(async () => {
    hs = await startTestHomeserver();
    dir = mkdtempSync(join(tmpdir(), "entente-share-web-"));
    svc = await startShareService({ dataDir: join(dir, "shares"), homeserverUrl: hs.url });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await hs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("wrong password refused in French, right password decrypts and saves the same bytes; a revoked link says so", async () => {
    const agent = { serviceUrl: svc.url, accessToken: (await registerUser(hs.url, "agent")).accessToken };
    const plaintext = randomBytes(3 * 1024 * 1024 + 17);
    const password = sharePassword();
    const share = await createShare(agent, { name: "permis-de-construire.pdf", ciphertext: await encryptForShare(new Blob([plaintext]).stream(), password, "permis-de-construire.pdf"), maxDownloads: 1 });

    const context = await browser.newContext({ acceptDownloads: true });
    // Headless Chromium cannot answer a save dialog: take the page's other path (Blob download).
    await context.addInitScript(() => {
      delete (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    const page = await context.newPage();
    // Without the link's fragment the page cannot open the sealed name, and says the link looks cut.
    await page.goto(share.url);
    await page.waitForSelector("#form:not([hidden])");
    assert.match(await page.textContent("#info") ?? "", /^Un fichier chiffré \(3,0 Mo\).*la partie après « # » manque/);
    await page.goto(share.link);
    await page.reload(); // a fragment change alone does not reload the page
    await page.waitForSelector("#form:not([hidden])");
    assert.match(await page.textContent("#info") ?? "", /^« permis-de-construire\.pdf » \(3,0 Mo\)/);
    await page.fill("#password", "pas-le-bon");
    await page.click("button[type=submit]");
    await page.locator("#error:not(:empty)").waitFor({ timeout: 60_000 });
    assert.match(await page.textContent("#error") ?? "", /Mot de passe incorrect/);
    assert.equal((await listShares(agent))[0]?.downloads, 0);

    await page.fill("#password", password);
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 120_000 }), page.click("button[type=submit]")]);
    assert.equal(download.suggestedFilename(), "permis-de-construire.pdf");
    const saved = join(dir, "saved.pdf");
    await download.saveAs(saved);
    const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    assert.equal(sha(readFileSync(saved)), sha(plaintext));
    // The exact size once decrypted (the service knows only the encrypted one).
    assert.equal(await page.textContent("#status"), "Fichier déchiffré et enregistré (3,0 Mo).");

    // The one allowed download is used: the page now says so.
    const again = await context.newPage();
    await again.goto(share.url);
    await again.locator("#error:not(:empty)").waitFor();
    assert.equal(await again.textContent("#error"), FRENCH.exhausted);

    const other = await createShare(agent, { name: "x.pdf", ciphertext: await encryptForShare(new Blob([plaintext]).stream(), password, "x.pdf") });
    await revokeShare(agent, other.id);
    await again.goto(other.url);
    await again.locator("#error:not(:empty)").waitFor();
    assert.equal(await again.textContent("#error"), FRENCH.revoked);
    await context.close();
  });

  it("a 44-byte file: « moins de 1 ko » before (the service knows only the encrypted size), « 44 o » once decrypted, the expiry without seconds", async () => {
    const agent = { serviceUrl: svc.url, accessToken: (await registerUser(hs.url, "agent2")).accessToken };
    const plaintext = Buffer.from("Compte rendu du conseil : 44 octets exacts.\n");
    assert.equal(plaintext.length, 44);
    const password = sharePassword();
    const share = await createShare(agent, { name: "cr.txt", ciphertext: await encryptForShare(new Blob([plaintext]).stream(), password, "cr.txt") });
    const context = await browser.newContext({ acceptDownloads: true });
    await context.addInitScript(() => {
      delete (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    const page = await context.newPage();
    await page.goto(share.link);
    await page.waitForSelector("#form:not([hidden])");
    assert.match(await page.textContent("#info") ?? "", /^« cr\.txt » \(moins de 1 ko\), disponible jusqu'au \d{1,2} \S+ \d{4} à \d{2}:\d{2}\.$/);
    await page.fill("#password", password);
    await Promise.all([page.waitForEvent("download", { timeout: 120_000 }), page.click("button[type=submit]")]);
    await page.locator("#status:has-text('enregistré')").waitFor();
    assert.equal(await page.textContent("#status"), "Fichier déchiffré et enregistré (44 o).");
    await context.close();
  });
});
