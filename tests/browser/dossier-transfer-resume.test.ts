// Issue 15: transfers that a page reload (or a dead network) interrupted are offered again in the
// folder view, Chromium, one homeserver, files in 4 encrypted parts (1 MiB threshold):
// - an upload reloaded once its first part is stored and the next ones are held (parts go two PUTs
//   at a time): after the reload "Reprendre l'envoi" with the same
//   file sends only the missing parts, counted AT THE HOMESERVER (files in its media store: every
//   stored part once, none twice); the file arrives byte-identical;
// - a download reloaded during its second part: "Reprendre le téléchargement" (from the start,
//   said in plain French: the browser kept nothing) saves it byte-identical;
// - a download whose retries all fail: the same "Reprendre", byte-identical once the network is back.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Download, Route } from "playwright-core";
import { screenshotOnFailure } from "../harness/browser.ts";
import { openOneServerDossier, type OneServerDossier } from "../harness/dossier-one-server.ts";
import { storedMedia } from "../harness/media-files.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const MEDIA = "**/_matrix/client/v1/media/download/**";
const PUTS = "**/_matrix/media/v3/upload/**";
const TITLE = "Étude reprise";

/**
 * A route handler for uploads: the first PUT goes through (`first` resolves once the server has
 * answered it), every later one is held until release(), then aborted. Parts go two PUTs at a
 * time: holding only the second would let the third through.
 */
function holdAfterFirst(): { handler: (r: Route) => Promise<void>; first: Promise<void>; held: Promise<void>; release: () => void } {
  let n = 0;
  let onFirst!: () => void;
  const first = new Promise<void>((r) => (onFirst = r));
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  return {
    first, held, release,
    async handler(route) {
      if (++n === 1) {
        const res = await route.fetch();
        onFirst();
        return route.fulfill({ response: res });
      }
      onHeld();
      await released;
      await route.abort().catch(() => undefined);
    },
  };
}

/** A route handler that holds request number `which` until release(), then aborts it; others go through. */
function holdNth(which: number): { handler: (r: Route) => Promise<void>; held: Promise<void>; release: () => void; count: () => number } {
  let n = 0;
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  return {
    held, release, count: () => n,
    async handler(route) {
      if (++n !== which) return route.continue();
      onHeld();
      await released;
      await route.abort().catch(() => undefined);
    },
  };
}

describe("dossier transfers resumed after a reload or a network give-up (Chromium)", function () {
  this.timeout(300_000);
  let d: OneServerDossier;
  const original = randomBytes(3 * MiB + 12_345);
  const name = "plan-de-mobilité.bin";
  screenshotOnFailure("dossier-transfer-resume", () => d?.page);

  before(async () => {
    d = await openOneServerDossier({ title: TITLE, largeFileThreshold: MiB });
  });
  after(async () => {
    await d?.close();
  });

  const row = () => d.page.getByRole("grid").locator("tbody tr").filter({ has: d.page.locator("td:first-child", { hasText: name }) });
  const reload = async (): Promise<void> => {
    await d.page.reload();
    await d.page.getByRole("heading", { name: TITLE }).waitFor({ timeout: 120_000 });
  };
  const saved = async (click: () => Promise<void>): Promise<Buffer> => {
    const [dl] = await Promise.all([d.page.waitForEvent("download", { timeout: 60_000 }), click()]) as [Download, unknown];
    const failure = await dl.failure();
    assert.equal(failure, null, `download failed: ${failure}`);
    return readFile((await dl.path())!);
  };

  it("an upload reloaded mid-part sends only its missing parts after 'Reprendre' (counted at the homeserver)", async () => {
    const page = d.page;
    const before = await storedMedia(d.hs.dir);
    const hold = holdAfterFirst();
    await page.route(PUTS, hold.handler);
    // A file on disk, picked twice: its lastModified is kept (a buffer would get a new one each time, refused as "modified")
    const onDisk = join(await mkdtemp(join(tmpdir(), "entente-resume-")), name);
    await writeFile(onDisk, original);
    await page.locator("input#files").setInputFiles(onDisk);
    await Promise.all([hold.first, hold.held]);
    assert.equal(await storedMedia(d.hs.dir), before + 1, "part 1 stored, the next ones held");
    await reload();
    hold.release();
    await page.unroute(PUTS);
    await page.getByText(`${name} (3 Mo) : 1 sur 4 parties envoyées`).waitFor({ timeout: 60_000 });
    await page.getByLabel(`Reprendre l'envoi de ${name} (choisissez le même fichier)`).setInputFiles(onDisk);
    await row().waitFor({ timeout: 120_000 });
    await page.getByRole("heading", { name: "Envois interrompus" }).waitFor({ state: "detached" });
    // 4 parts and the manifest, each stored once: part 1 was not sent again
    assert.equal(await storedMedia(d.hs.dir), before + 5, "the homeserver stored each part once");
    const got = await saved(() => row().getByRole("button", { name: `Télécharger ${name}`, exact: true }).click());
    assert.equal(sha256(got), sha256(original), "the resumed upload is byte-identical");
  });

  it("a download reloaded mid-part is offered again and saved byte-identical from its start", async () => {
    const page = d.page;
    const hold = holdNth(3); // manifest, part 1, part 2 (held)
    // the context's routes: the service worker downloads the parts (not the page)
    await page.context().route(MEDIA, hold.handler);
    const cut = page.waitForEvent("download", { timeout: 60_000 });
    await row().getByRole("button", { name: `Télécharger ${name}`, exact: true }).click();
    await hold.held;
    await reload();
    hold.release();
    await page.context().unroute(MEDIA);
    await (await cut).failure(); // the browser's own download dies with the page
    await page.getByRole("heading", { name: "Téléchargements interrompus" }).waitFor({ timeout: 60_000 });
    await page.getByText(`${name} (3 Mo) : le rechargement de la page a interrompu le téléchargement. Le navigateur n'en a rien gardé : « Reprendre » le recommence depuis le début.`).waitFor();
    const got = await saved(() => page.getByRole("button", { name: `Reprendre le téléchargement de ${name}` }).click());
    assert.equal(sha256(got), sha256(original));
    await page.getByText(`${name} enregistré sur le disque, déchiffré et vérifié (SHA-256).`).waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "Téléchargements interrompus" }).waitFor({ state: "detached" });
  });

  it("a download whose retries all fail gets 'Reprendre', which saves it once the network is back", async () => {
    const page = d.page;
    let n = 0;
    // part 2 and every retry of it are reset (6 tries, 31 s of backoff)
    await page.context().route(MEDIA, async (route) => (++n >= 3 ? route.abort("connectionreset") : route.continue()));
    await row().getByRole("button", { name: `Télécharger ${name}`, exact: true }).click();
    await page.getByText(`${name} (3 Mo) : le téléchargement s'est arrêté après plusieurs essais (réseau ou serveur injoignable). « Reprendre » le recommence depuis le début.`).waitFor({ timeout: 120_000 });
    assert.ok(n >= 8, `part 2 was tried several times (${n} media requests)`);
    await page.context().unroute(MEDIA);
    const got = await saved(() => page.getByRole("button", { name: `Reprendre le téléchargement de ${name}` }).click());
    assert.equal(sha256(got), sha256(original));
    await page.getByRole("heading", { name: "Téléchargements interrompus" }).waitFor({ state: "detached" });
  });
});
