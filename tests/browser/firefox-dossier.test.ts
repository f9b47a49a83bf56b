// Dossiers in Firefox ESR (the browser many French administrations deploy), not only Chromium:
// Gecko has no File System Access API, so a dossier file is saved through the download service
// worker (client/src/core/dossiers/download-sw.ts) and Firefox's own download manager; the upload
// runs in the upload worker with OPFS part files, WebCrypto and the Rust crypto's WASM, all in
// Gecko. An agent signed in (session in localStorage) uploads a file above the large-file threshold
// (so in encrypted parts plus a manifest) and downloads it: the file Firefox saved is
// byte-identical, and the page says it was decrypted and verified.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { firefoxScreenshot, waitDeep, withFailureShot } from "../harness/firefox.ts";
import { openFirefoxDossier, type FirefoxDossier } from "../harness/firefox-dossier.ts";
import { waitFor } from "../harness/homeserver.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

describe("dossiers in Firefox ESR: an upload in encrypted parts, a download saved through the service worker", function () {
  this.timeout(300_000);
  let opened: FirefoxDossier | undefined;
  let page: Page;
  let dir: string;
  const original = randomBytes(3 * MiB + 54_321);
  const name = "étude-mobilité.bin";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-firefox-"));
    mkdirSync(join(dir, "downloads"));
    opened = await openFirefoxDossier({ title: "Étude mobilité", largeFileThreshold: MiB, downloadDir: join(dir, "downloads") });
    page = opened.page;
  });

  after(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uploads in parts and saves the file byte-identical, decrypted and verified", async () => {
    const source = join(dir, name);
    writeFileSync(source, original);
    const input = await page.waitForSelector(">>> input#files");
    assert.ok(input);
    await input.uploadFile(source);
    const download = await withFailureShot(page, "dossier-uploaded", () => waitDeep(page, "button", `Télécharger ${name}`, 120_000));
    await download.click();
    const saved = join(dir, "downloads", name);
    await waitFor("Firefox saved the whole file", () => {
      const files = readdirSync(join(dir, "downloads"), { withFileTypes: true }).map((f) => f.name);
      const done = files.includes(name) && !files.some((f) => f.endsWith(".part")) && statSync(saved).size === original.length;
      return Promise.resolve(done ? true : undefined);
    }, 120_000);
    assert.equal(sha256(readFileSync(saved)), sha256(original));
    await withFailureShot(page, "dossier-saved", () => waitDeep(page, "p, span, div", `${name} enregistré sur le disque, déchiffré et vérifié (SHA-256).`, 30_000));
    type Sw = { navigator: { serviceWorker: { getRegistrations(): Promise<{ scope: string }[]> } } };
    const scopes = await page.evaluate(async () => (await (globalThis as unknown as Sw).navigator.serviceWorker.getRegistrations()).map((r) => new URL(r.scope).pathname));
    assert.deepEqual(scopes, ["/__entente_download__/"], "saved through the download service worker (Firefox has no save picker)");
    await firefoxScreenshot(page, "firefox-dossier");
  });
});
