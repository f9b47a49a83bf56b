// Issue 15: an upload in parts cut between its manifest and its room message (the page reloaded while
// the message was on its way) is not lost. Chromium, one homeserver, a file in 4 encrypted parts
// (1 MiB threshold), uploaded by the agent; a second member (Bob, his own browser context) has the
// dossier open. The message's request is held and the page reloaded: the view then lists the upload
// as "every part sent, not published yet" with « Publier », which sends the message without asking
// for the file or sending any byte again (the homeserver's media store is counted); Bob sees the file
// and downloads it byte-identical. Before the fix the state was cleared once the manifest was up, so
// after the reload nothing was listed and the file never reached the dossier.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Download, Page, Route } from "playwright-core";
import { screenshotOnFailure } from "../harness/browser.ts";
import { openOneServerDossier, type OneServerDossier } from "../harness/dossier-one-server.ts";
import { registerUser } from "../harness/homeserver.ts";
import { storedMedia } from "../harness/media-files.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const TITLE = "Étude publiée";
/** The room message of the file (the dossier is encrypted: every room event goes as m.room.encrypted). */
const MESSAGE = "**/_matrix/client/v3/rooms/*/send/m.room.encrypted/**";

describe("dossier upload cut between its manifest and its message (Chromium)", function () {
  this.timeout(300_000);
  let d: OneServerDossier;
  let bobCtx: BrowserContext | undefined;
  let bob: Page | undefined;
  const original = randomBytes(3 * MiB + 4321);
  const name = "budget-commun.bin";
  screenshotOnFailure("dossier-publish-after-manifest", () => d?.page);

  before(async () => {
    d = await openOneServerDossier({ title: TITLE, largeFileThreshold: MiB });
    // Bob joins the dossier and opens it in his own browser context (his device exists before the file is sent)
    const b = await registerUser(d.hs.url, "bob");
    const agentToken = await d.page.evaluate(() => (JSON.parse(localStorage.getItem("entente.session")!) as { accessToken: string }).accessToken);
    const post = async (token: string, path: string, body: unknown): Promise<void> => {
      const res = await fetch(`${d.hs.url}/_matrix/client/v3${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    };
    await post(agentToken, `/rooms/${encodeURIComponent(d.roomId)}/invite`, { user_id: b.userId });
    await post(b.accessToken, `/join/${encodeURIComponent(d.roomId)}`, {});
    bobCtx = await d.browser.newContext({ locale: "fr-FR", acceptDownloads: true });
    const session = JSON.stringify({ baseUrl: d.hs.url, userId: b.userId, accessToken: b.accessToken, deviceId: b.deviceId });
    await bobCtx.addInitScript((v: string) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v), session);
    bob = await bobCtx.newPage();
    await bob.goto(d.href);
    await bob.getByRole("heading", { name: TITLE }).waitFor({ timeout: 120_000 });
  });
  after(async () => {
    await bobCtx?.close();
    await d?.close();
  });

  const rowIn = (page: Page, file = name) => page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: file }) });

  it("after a reload, « Publier » sends the message with nothing uploaded again; the other member gets the file", async () => {
    const page = d.page;
    const before = await storedMedia(d.hs.dir);
    let onHeld!: () => void;
    const held = new Promise<void>((r) => (onHeld = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let messages = 0;
    await page.route(MESSAGE, async (route: Route) => {
      messages++;
      onHeld();
      await released;
      await route.abort().catch(() => undefined);
    });
    const onDisk = join(await mkdtemp(join(tmpdir(), "entente-publish-")), name);
    await writeFile(onDisk, original);
    await page.locator("input#files").setInputFiles(onDisk);
    await held;
    assert.equal(messages, 1, "the file's message is the first room event sent");
    assert.equal(await storedMedia(d.hs.dir), before + 5, "4 parts and the manifest are stored");
    await page.reload();
    await page.getByRole("heading", { name: TITLE }).waitFor({ timeout: 120_000 });
    release();
    await page.unroute(MESSAGE);
    await page.getByText(`${name} (3 Mo) : toutes les parties sont envoyées, le fichier n'est pas encore publié dans le dossier`).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: `Publier ${name} dans le dossier` }).click();
    await rowIn(page).waitFor({ timeout: 60_000 });
    await page.getByRole("heading", { name: "Envois interrompus" }).waitFor({ state: "detached" });
    assert.equal(await storedMedia(d.hs.dir), before + 5, "nothing was uploaded again");
    // the other member sees it and downloads it byte-identical
    await rowIn(bob!).waitFor({ timeout: 60_000 });
    const [dl] = await Promise.all([bob!.waitForEvent("download", { timeout: 60_000 }), rowIn(bob!).getByRole("button", { name: `Télécharger ${name}`, exact: true }).click()]) as [Download, unknown];
    assert.equal(await dl.failure(), null);
    assert.equal(sha256(await readFile((await dl.path())!)), sha256(original), "Bob's copy is byte-identical");
  });

  it("a message the homeserver stored before the reload is not sent twice: « Publier » gives the same event (transaction id)", async () => {
    const page = d.page;
    const file = "convention-signee.bin";
    let onStored!: () => void;
    const stored = new Promise<void>((r) => (onStored = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await page.route(MESSAGE, async (route: Route) => {
      await route.fetch(); // the homeserver stores the event; its answer never reaches the page
      onStored();
      await released;
      await route.abort().catch(() => undefined);
    });
    const dir = await mkdtemp(join(tmpdir(), "entente-publish-"));
    await writeFile(join(dir, file), randomBytes(2 * MiB + 17));
    await page.locator("input#files").setInputFiles(join(dir, file));
    await stored;
    await page.reload();
    await page.getByRole("heading", { name: TITLE }).waitFor({ timeout: 120_000 });
    release();
    await page.unroute(MESSAGE);
    await page.getByRole("button", { name: `Publier ${file} dans le dossier` }).click();
    await page.getByRole("heading", { name: "Envois interrompus" }).waitFor({ state: "detached" });
    // a small file sent after it marks the end: once Bob sees it, every earlier message is folded
    await writeFile(join(dir, "repere.txt"), "repère");
    await page.locator("input#files").setInputFiles(join(dir, "repere.txt"));
    await rowIn(bob!, "repere.txt").waitFor({ timeout: 60_000 });
    assert.equal(await rowIn(bob!, file).count(), 1, "the file is in the dossier once");
  });
});
