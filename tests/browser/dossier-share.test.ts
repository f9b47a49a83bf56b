// Issue 15, citizen sharing from the web client (Chromium): an agent shares a dossier file from
// its row; the page decrypts the Matrix attachment, re-encrypts it with a generated password and
// uploads it to the council's share service; the dialog shows the link and the password once. A
// recipient (another browser context, no account) opens the link: a wrong password is refused in
// French, the right one saves a byte-identical file; the used-up, revoked and expired links are
// refused with their French messages; the agent sees each share's state and access log; the room
// gets a notice in the file's thread; the service's storage holds neither plaintext nor password
// nor file names (sealed with the link's fragment).
// Then a reply link: the citizen's page encrypts a document and sends it once; the agent adds it
// to the dossier, where it downloads byte-identical.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi, useCouncilsClient } from "../harness/client-pages.ts";
import { rowAction, signInWithNewDossier, useShareService } from "../harness/dossier-pages.ts";
import { startShareService, type RunningShareService } from "../../appservices/share/src/share-server.ts";
import { FRENCH } from "../../appservices/share/src/share-rules.ts";
import { DROP_FRENCH } from "../../appservices/share/src/drop-routes.ts";

const A = "mairie-a.test";
const MARKER = "ACTE-NAISSANCE-CONFIDENTIEL-7731";
const REPLY_MARKER = "JUSTIFICATIF-DOMICILE-CONFIDENTIEL-0904";
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const row = (page: Page, name: string) => page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("dossiers: sharing a file with a citizen from the web client (Chromium)", function () {
  this.timeout(300_000);
  const app = useCouncilsClient([A], { users: { alice: A } });
  let share: RunningShareService;
  let dir: string;
  let clock = 0;
  let page: Page | undefined;
  let citizen: BrowserContext;
  screenshotOnFailure("dossier-share", () => page);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-share-client-"));
    share = await startShareService({ dataDir: join(dir, "share"), homeserverUrl: app.fed.get(A).url, log: () => undefined, now: () => Date.now() + clock });
  });
  after(async () => {
    await share?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The recipient's page for `url`: the password typed, the answer (the saved bytes, or the French error). */
  async function receive(url: string, password: string): Promise<{ bytes?: Buffer; error?: string; page: Page }> {
    const p = await citizen.newPage();
    await p.goto(url);
    await p.locator("#form:not([hidden]), #error:not(:empty)").first().waitFor();
    const early = await p.textContent("#error");
    if (early) return { error: early, page: p };
    await p.fill("#password", password);
    const download = p.waitForEvent("download", { timeout: 60_000 }).catch(() => undefined);
    await p.click("button[type=submit]");
    await p.locator("#error:not(:empty), body[data-done]").first().waitFor({ timeout: 60_000 });
    const error = await p.textContent("#error");
    if (error) return { error, page: p };
    const d = await download;
    assert.ok(d);
    assert.equal(d.suggestedFilename(), "acte.pdf");
    return { bytes: readFileSync(await d.path()), page: p };
  }

  /** Opens the share dialog of acte.pdf, creates a link allowing `downloads`; returns link and password. */
  async function createLink(p: Page, downloads: number): Promise<{ url: string; password: string }> {
    await rowAction(p, "acte.pdf", "Partager acte.pdf avec un citoyen");
    const dialog = p.getByRole("dialog", { name: "Partager « acte.pdf » avec un citoyen" });
    await dialog.getByLabel("Nombre de téléchargements autorisés").fill(String(downloads));
    await dialog.getByRole("button", { name: "Créer le lien" }).click();
    await dialog.getByText("Lien créé. Le mot de passe n'est affiché qu'une fois.").waitFor({ timeout: 60_000 });
    return { url: await dialog.getByLabel("Lien à envoyer").inputValue(), password: await dialog.getByLabel("Mot de passe", { exact: true }).inputValue() };
  }

  it("shares a file: link and password once; the recipient decrypts the same bytes; wrong, used-up, revoked and expired links are refused in French; no plaintext stored", async () => {
    page = await app.newPage({ acceptDownloads: true, locale: "fr-FR" });
    await useShareService(page, A, share.url);
    const roomId = await signInWithNewDossier(page, app.web.url, "alice", "État civil", "Demandes 2027");
    // The file lives in a sub-folder: the citizen's reply must arrive beside it.
    await page.getByLabel("Nom du sous-dossier").fill("Naissances");
    await page.getByRole("button", { name: "Nouveau sous-dossier" }).click();
    await row(page, "Naissances").getByRole("button", { name: "Ouvrir Naissances" }).click();
    await page.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 30_000 });
    const plain = Buffer.concat([Buffer.from(MARKER), randomBytes(700_000), Buffer.from(MARKER)]);
    await page.locator("input#files").setInputFiles({ name: "acte.pdf", mimeType: "application/pdf", buffer: plain });
    await row(page, "acte.pdf").waitFor({ timeout: 60_000 });

    const first = await createLink(page, 1);
    assert.match(first.url, new RegExp(`^${share.url}/s/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`), "the link ends with the fragment that opens the file's name");
    assert.match(first.password, /^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    const dialog = page.getByRole("dialog", { name: "Partager « acte.pdf » avec un citoyen" });
    await dialog.getByText("Envoyez le mot de passe par un autre moyen que le lien").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), [], "share dialog accessible");
    await screenshot(page, "dossier-share-link");

    // The recipient, without an account.
    citizen = await app.newContext({ acceptDownloads: true, locale: "fr-FR" });
    await citizen.addInitScript(() => { delete (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker; });
    const wrong = await receive(first.url, "pas-le-bon-mot-de-passe");
    assert.match(wrong.error ?? "", /Mot de passe incorrect/);
    await screenshot(wrong.page, "dossier-share-recipient-wrong-password");
    const right = await receive(first.url, first.password);
    assert.ok(right.bytes, right.error);
    assert.equal(sha256(right.bytes), sha256(plain), "byte-identical");
    await screenshot(right.page, "dossier-share-recipient-done");
    assert.equal((await receive(first.url, first.password)).error, FRENCH.exhausted);

    // A second link, revoked from the dialog's list.
    await dialog.getByRole("button", { name: "Fermer" }).click();
    const menuButton = row(page, "acte.pdf").getByRole("button", { name: "Actions pour acte.pdf" });
    assert.equal(await menuButton.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "closed: the focus is back on the row's menu button");
    const second = await createLink(page, 3);
    const secondRow = dialog.locator("tbody tr").first();
    await secondRow.getByRole("button", { name: /^Révoquer le lien créé le/ }).click();
    await dialog.getByText("Lien révoqué.").waitFor();
    const revoked = await receive(second.url, second.password);
    assert.equal(revoked.error, FRENCH.revoked);
    await screenshot(revoked.page, "dossier-share-recipient-revoked");

    // The agent's list: states and the access log of the first link.
    await dialog.getByRole("button", { name: "Fermer" }).click();
    await rowAction(page, "acte.pdf", "Partager acte.pdf avec un citoyen");
    await dialog.locator("tbody tr").nth(1).waitFor();
    assert.deepEqual(await dialog.locator("td.state").allTextContents(), ["révoqué", "épuisé"]);
    const firstRow = dialog.locator("tbody tr").nth(1);
    await firstRow.getByText(/\d+ accès/).click();
    await firstRow.getByText(/téléchargé/).waitFor();
    await firstRow.getByText(/refusé \(limite atteinte\)/).waitFor();
    await screenshot(page, "dossier-share-list");

    // A third link, then time passes beyond its expiry (the service's clock).
    await dialog.getByRole("button", { name: "Fermer" }).click();
    const third = await createLink(page, 3);
    clock += 40 * 86_400_000;
    assert.equal((await receive(third.url, third.password)).error, FRENCH.expired);
    clock = 0;

    // A reply link: the citizen sends a document once; the agent adds it to the dossier.
    await dialog.getByRole("button", { name: "Fermer" }).click();
    await rowAction(page, "acte.pdf", "Partager acte.pdf avec un citoyen");
    await dialog.getByRole("button", { name: "Créer un lien de dépôt" }).click();
    const dropLink = await dialog.getByLabel("Lien de dépôt", { exact: true }).inputValue();
    assert.match(dropLink, new RegExp(`^${share.url}/d/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{24}$`));
    const reply = Buffer.concat([Buffer.from(REPLY_MARKER), randomBytes(300_000)]);
    const drop = await citizen.newPage();
    await drop.goto(dropLink);
    await drop.locator("#form:not([hidden])").waitFor();
    await drop.locator("#file").setInputFiles({ name: "justificatif.pdf", mimeType: "application/pdf", buffer: reply });
    await drop.getByRole("button", { name: "Chiffrer et envoyer" }).click();
    await drop.locator("body[data-done]").waitFor({ timeout: 60_000 });
    await screenshot(drop, "dossier-share-reply-sent");
    await drop.reload();
    await drop.locator("#error:not(:empty)").waitFor();
    assert.equal(await drop.textContent("#error"), DROP_FRENCH.used, "a reply link works once");
    await dialog.getByRole("button", { name: "Fermer" }).click();
    await rowAction(page, "acte.pdf", "Partager acte.pdf avec un citoyen");
    await dialog.getByRole("button", { name: "Déchiffrer justificatif.pdf et l'ajouter au dossier" }).click({ timeout: 30_000 });
    await dialog.getByText("« justificatif.pdf » déchiffré et ajouté dans Naissances, à côté de « acte.pdf ».").waitFor({ timeout: 60_000 });
    await dialog.locator("td.drop-state", { hasText: "ajouté au dossier" }).waitFor();
    await screenshot(page, "dossier-share-reply-added");
    await dialog.getByRole("button", { name: "Fermer" }).click();
    await row(page, "justificatif.pdf").waitFor({ timeout: 60_000 }); // in the open folder, Naissances
    const [saved] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), row(page, "justificatif.pdf").getByRole("button", { name: "Télécharger justificatif.pdf", exact: true }).click()]);
    assert.equal(sha256(readFileSync(await saved.path())), sha256(reply), "the reply is in the dossier, byte-identical");

    // The room says the file was shared, in the file's thread (relation readable by the server,
    // the notice itself end-to-end encrypted); the service holds ciphertext only.
    const token = (JSON.parse((await page.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken: string }).accessToken;
    const messages = await clientApi(app.fed.get(A).url, { accessToken: token }, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`);
    const threaded = (messages["chunk"] as { type: string; content: Record<string, unknown> }[]).filter((e) => e.type === "m.room.encrypted" && (e.content["m.relates_to"] as { rel_type?: string } | undefined)?.rel_type === "m.thread");
    assert.equal(threaded.length, 4, "one notice per share and per reply link, in the file's thread");
    const needles = [Buffer.from(MARKER), plain.subarray(5000, 5064), Buffer.from(REPLY_MARKER), Buffer.from(dropLink.split("#")[1] ?? "?"), ...[first, second, third].flatMap((s) => [Buffer.from(s.password), Buffer.from(s.url.split("#")[1] ?? "?")]), Buffer.from("acte.pdf"), Buffer.from("justificatif.pdf")];
    const stored = filesUnder(join(dir, "share"));
    assert.ok(stored.filter((f) => f.endsWith("data.pgp")).length === 3);
    for (const f of stored) {
      const bytes = readFileSync(f);
      for (const n of needles) assert.equal(bytes.indexOf(n), -1, `${f} holds plaintext, a password, a link's fragment or a file name`);
    }
  });
});
