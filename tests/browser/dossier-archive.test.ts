// Issue 15, archive export from the web client (Chromium): an agent of the council fills an
// end-to-end encrypted dossier with two files, removes a member (the view warns that files
// uploaded before stay readable to them), then "Exporter pour archivage": the page decrypts the room,
// the council's share service (archive route, council archive key) signs, the page encrypts to the
// archivist and streams `<dossier>-<date>.tar.gpg` to disk (download service worker). The real
// GnuPG decrypts it with the archivist's key, verifies the council's signature, and every item
// matches the manifest; the files are the originals, the messages are the decrypted ones.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { PASSWORD, clientApi, useCouncilsClient } from "../harness/client-pages.ts";
import { signInWithNewDossier, useShareService } from "../harness/dossier-pages.ts";
import { gnupgHome, openArchive, stopGnupg, type Gpg } from "../harness/gnupg.ts";
import { startArchiveShareService } from "../harness/archive-share.ts";
import type { RunningShareService } from "../../appservices/share/src/share-server.ts";
import type { ArchiveManifest } from "../../appservices/files/src/archive/archive-layout.ts";

const A = "mairie-a.test";
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const row = (page: Page, name: string) => page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });

describe("dossiers: export for archiving from the web client (Chromium, GnuPG)", function () {
  this.timeout(240_000);
  const app = useCouncilsClient([A], { users: { alice: A, bob: A } });
  screenshotOnFailure("dossier-archive", () => page as Page | undefined);
  let share: RunningShareService;
  let dir: string;
  let gnupg: string;
  let councilFpr: string;
  let page: Page;
  let roomId: string;
  let gpg: Gpg;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-archive-client-"));
    gnupg = join(dir, "gnupg");
    gpg = gnupgHome(gnupg);
    ({ share, councilFpr } = await startArchiveShareService(dir, gpg, app.fed.get(A).url, "archives@mairie-a.test"));
  });
  after(async () => {
    stopGnupg(gnupg);
    await share?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** gpg decrypts `bytes` with the archivist's key and checks the council's signature; the tar extracted, its manifest. */
  async function openWithGpg(bytes: Buffer, name: string): Promise<{ x: string; manifest: ArchiveManifest }> {
    const out = join(dir, `${name}.tar.gpg`);
    writeFileSync(out, bytes);
    const { dir: x, manifest } = openArchive(gpg, out, join(dir, `${name}.tar`), join(dir, name), councilFpr);
    return { x, manifest };
  }

  it("removes a member with the warning, exports the dossier; gpg decrypts and verifies; every hash matches", async () => {
    page = await app.newPage({ acceptDownloads: true, locale: "fr-FR" });
    await useShareService(page, A, share.url);
    roomId = await signInWithNewDossier(page, app.web.url, "alice", "Voirie", "Travaux été 2027");

    // Bob joins (invited from the view, joins through the API), then alice removes him.
    await page.getByLabel("Inviter dans le dossier (identifiant, toute collectivité)").fill(`@bob:${A}`);
    await page.getByRole("button", { name: "Inviter", exact: true }).click();
    await page.getByText("Invitation envoyée.").waitFor({ timeout: 30_000 });
    const hs = app.fed.get(A).url;
    const login = (await (await fetch(`${hs}/_matrix/client/v3/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "bob" }, password: PASSWORD }) })).json()) as { access_token: string };
    const bob = { accessToken: login.access_token };
    await clientApi(hs, bob, "POST", `/join/${encodeURIComponent(roomId)}`, {});

    const files = [
      { name: "plan-de-circulation.pdf", mimeType: "application/pdf", buffer: randomBytes(150_000) },
      { name: "arrêté municipal.odt", mimeType: "application/vnd.oasis.opendocument.text", buffer: randomBytes(40_000) },
    ];
    await page.locator("input#files").setInputFiles(files);
    for (const f of files) await row(page, f.name).waitFor({ timeout: 60_000 });

    const members = page.getByRole("region", { name: "Membres du dossier" });
    await members.getByRole("button", { name: "Retirer bob du dossier" }).click({ timeout: 60_000 });
    const confirm = page.getByRole("alertdialog", { name: "Retirer bob du dossier ?" });
    await confirm.getByText("Les fichiers déposés avant son départ restent lisibles par cette personne.").waitFor();
    assert.equal(await confirm.getByRole("button", { name: "Retirer", exact: true }).evaluate((b) => (b.getRootNode() as unknown as { activeElement: unknown }).activeElement === b), true, "the confirmation takes the focus");
    assert.deepEqual(await seriousA11yViolations(page), [], "dossier view with members and archive panels accessible");
    await screenshot(page, "dossier-remove-member");
    await confirm.getByRole("button", { name: "Retirer", exact: true }).click();
    await members.getByText(/a été retiré du dossier\. Les fichiers déposés avant son départ restent lisibles par cette personne\./).waitFor({ timeout: 30_000 });
    const bobState = await clientApi(hs, { accessToken: (JSON.parse((await page.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken: string }).accessToken }, "GET", `/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(`@bob:${A}`)}`);
    assert.equal(bobState["membership"], "leave");

    // Export for archiving.
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 120_000 }),
      page.getByRole("button", { name: "Exporter pour archivage" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^travaux-ete-2027-\d{4}-\d{2}-\d{2}\.tar\.gpg$/);
    assert.match(download.url(), /__entente_download__/, "streamed to disk through the service worker (headless Chromium has no save dialog)");
    await page.getByText(/Archive travaux-ete-2027-.*\.tar\.gpg prête : 4 éléments, signée par la collectivité/).waitFor({ timeout: 30_000 });
    await screenshot(page, "dossier-archive-exported");
    const { x, manifest } = await openWithGpg(await readFile(await download.path()), "dossier");
    assert.equal(manifest.room_id, roomId);
    assert.equal(manifest.exported_by, `@alice:${A}`);
    assert.deepEqual(manifest.missing, []);
    const exported = manifest.items.filter((i) => i.kind === "file");
    assert.deepEqual(exported.map((f) => f.name).sort(), files.map((f) => f.name).sort());
    for (const f of files) assert.equal(exported.find((e) => e.name === f.name)?.sha256, sha256(f.buffer), `${f.name} byte-identical`);
    // The messages as the members read them: decrypted file messages, the removal in the timeline.
    const messages = readFileSync(join(x, "messages.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; content: Record<string, unknown>; state_key?: string });
    assert.equal(messages.filter((m) => m.type === "m.room.message" && m.content["msgtype"] === "m.file").length, 2, "file messages decrypted");
    assert.ok(messages.some((m) => m.type === "m.room.member" && m.state_key === `@bob:${A}` && m.content["membership"] === "leave"), "the removal is in the record");
    assert.match(readFileSync(join(x, "room.json"), "utf8"), /Travaux été 2027/);
    const log = readFileSync(join(dir, "share", "archive", "exports.jsonl"), "utf8").trim().split("\n");
    assert.equal(log.length, 1, "the export is logged");
  });

  it("exports any room from its settings, in English too", async () => {
    await page.goto(`${app.web.url}#/room/${encodeURIComponent(roomId)}`);
    await page.getByRole("button", { name: "Paramètres du salon" }).click({ timeout: 60_000 });
    await page.getByLabel("Langue").selectOption("en");
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 120_000 }),
      page.getByRole("button", { name: "Export for archiving" }).click(),
    ]);
    await page.getByText(/Archive travaux-ete-2027-.*\.tar\.gpg ready: 4 items, signed by the council/).waitFor({ timeout: 30_000 });
    const { manifest } = await openWithGpg(await readFile(await download.path()), "from-settings");
    assert.equal(manifest.room_id, roomId);
    assert.equal(manifest.items.filter((i) => i.kind === "file").length, 2);
    assert.equal(readFileSync(join(dir, "share", "archive", "exports.jsonl"), "utf8").trim().split("\n").length, 2, "both exports logged");
    await page.getByLabel("Language").selectOption("fr");
  });

  it("says in French that archiving is not set up when the council announces no service, and saves nothing", async () => {
    await page.unroute("**/config.json");
    let downloads = 0;
    page.on("download", () => void downloads++);
    await page.goto(`${app.web.url}#/dossier/${encodeURIComponent(roomId)}`);
    await page.reload();
    await page.getByRole("heading", { name: "Travaux été 2027" }).waitFor({ timeout: 60_000 });
    await row(page, "plan-de-circulation.pdf").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Exporter pour archivage" }).click();
    await page.getByRole("alert").filter({ hasText: "L'archivage n'est pas configuré pour votre collectivité (pas de service d'archivage)." }).waitFor({ timeout: 30_000 });
    assert.equal(downloads, 0, "no save dialog or download started");
  });
});
