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

  it("with a save dialog (File System Access API): a wrong password opens none; the right one opens it, or « Choisir où enregistrer » when the check outlasted the click", async () => {
    const agent = { serviceUrl: svc.url, accessToken: (await registerUser(hs.url, "agent3")).accessToken };
    const plaintext = randomBytes(200_000);
    const password = sharePassword();
    const ciphertext = () => encryptForShare(new Blob([plaintext]).stream(), password, "deliberation.pdf");
    const first = await createShare(agent, { name: "deliberation.pdf", ciphertext: await ciphertext() });
    const second = await createShare(agent, { name: "deliberation.pdf", ciphertext: await ciphertext() });
    const context = await browser.newContext();
    // Headless Chromium's own dialog cannot be answered: a stand-in with the real one's rule (it
    // opens only with a user activation, else SecurityError), counting its openings and keeping
    // what is written. The activation is the stand-in's too, so that the test, not the machine's
    // speed, says whether the password check outlasted the click (Chromium's lasts 5 s): a click
    // activates, except the one after `__expireNext`, whose activation is taken as run out.
    await context.addInitScript(() => {
      const w = globalThis as unknown as { __picks: string[]; __saved: number[]; __expired: boolean; __expireNext: boolean; showSaveFilePicker: unknown; Navigator: { prototype: object }; addEventListener(t: string, f: () => void, capture: boolean): void };
      w.__picks = [];
      w.__saved = [];
      w.__expired = false;
      w.__expireNext = false;
      Object.defineProperty(w.Navigator.prototype, "userActivation", { configurable: true, get: () => ({ isActive: !w.__expired, hasBeenActive: true }) });
      w.addEventListener("click", () => {
        w.__expired = w.__expireNext;
        w.__expireNext = false;
      }, true);
      w.showSaveFilePicker = (opts: { suggestedName: string }) => {
        if (w.__expired) return Promise.reject(new DOMException("Must be handling a user gesture to show a file picker.", "SecurityError"));
        w.__picks.push(opts.suggestedName);
        return Promise.resolve({ createWritable: () => Promise.resolve(new WritableStream<Uint8Array>({ write: (c) => { for (const b of c) w.__saved.push(b); } })) });
      };
    });
    const page = await context.newPage();
    const picks = () => page.evaluate(() => (globalThis as unknown as { __picks: string[] }).__picks);
    const saved = () => page.evaluate(() => (globalThis as unknown as { __saved: number[] }).__saved);
    const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    await page.goto(first.link);
    await page.waitForSelector("#form:not([hidden])");
    await page.fill("#password", "pas-le-bon");
    await page.click("button[type=submit]");
    await page.locator("#error:not(:empty)").waitFor({ timeout: 60_000 });
    assert.match(await page.textContent("#error") ?? "", /Mot de passe incorrect/);
    assert.deepEqual(await picks(), [], "no save dialog for a wrong password");

    await page.fill("#password", password);
    await page.click("button[type=submit]");
    await page.locator("#status:has-text('enregistré')").waitFor({ timeout: 60_000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}; status « ${await page.textContent("#status")} », error « ${await page.textContent("#error")} », picks ${JSON.stringify(await picks())}`);
    });
    assert.deepEqual(await picks(), ["deliberation.pdf"]);
    assert.equal(sha(Uint8Array.from(await saved())), sha(plaintext));

    // The password check took longer than the click's activation: the page asks for another click.
    await page.goto(second.link);
    await page.waitForSelector("#form:not([hidden])");
    await page.evaluate(() => { (globalThis as unknown as { __expireNext: boolean }).__expireNext = true; });
    await page.fill("#password", password);
    await page.click("button[type=submit]");
    const save = page.getByRole("button", { name: "Choisir où enregistrer « deliberation.pdf »" });
    await save.waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), "save", "the new button has the focus");
    assert.deepEqual(await picks(), []);
    await page.keyboard.press("Enter"); // a click on the focused button: a new activation
    await page.locator("#status:has-text('enregistré')").waitFor({ timeout: 60_000 });
    assert.deepEqual(await picks(), ["deliberation.pdf"]);
    assert.equal(sha(Uint8Array.from(await saved())), sha(plaintext));
    assert.equal(await save.isHidden(), true);
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
