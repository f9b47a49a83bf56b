// Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi, for the browser paths that
// differ from Chromium's (no File System Access API: dossier downloads go through the service
// worker; OPFS part files, WebCrypto and the Rust crypto's WASM in Gecko). Playwright's own
// Firefox needs its patched build, and its BiDi mode asks commands ESR 153 lacks. Missing Firefox
// is a failure with the fix in the message (never a skipped test): `.ci/run` installs it.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type ElementHandle, type Page } from "puppeteer-core";
import { ARTIFACTS } from "./browser.ts";

export const FIREFOX = process.env["FIREFOX_PATH"] ?? "/usr/bin/firefox-esr";

/** Firefox headless; files it downloads are saved, without asking, into `downloadDir`. */
export async function launchFirefox(downloadDir: string): Promise<Browser> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`firefox not found at ${FIREFOX}: install it (apt-get install -y firefox-esr, as .ci/run does) or set FIREFOX_PATH${process.env["CI"] === "true" ? " (CI=true: the Firefox suite must run)" : ""}`);
  }
  return puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    // No BiDi network events: besides the kept bodies below, Firefox's network listener for them
    // made the browser process grow as much as a dossier download moved (+554 MiB for 512 MiB).
    networkEnabled: false,
    extraPrefsFirefox: {
      "browser.download.folderList": 2,
      "browser.download.dir": downloadDir,
      "browser.download.useDownloadDir": true,
      "browser.download.always_ask_before_handling_new_types": false,
      "browser.helperApps.neverAsk.saveToDisk": "application/octet-stream",
      "browser.download.manager.showWhenStarting": false,
      "intl.accept_languages": "fr-FR, fr",
      // puppeteer asks Firefox to keep network bodies (BiDi network.addDataCollector, 20 MB
      // each, up to this total): every dossier part would then be held in the browser process,
      // which grew as much as the file moved (+530 MiB for 512 MiB). A total under puppeteer's
      // per-item size makes Firefox refuse the collector, which puppeteer ignores: nothing kept.
      "remote.network.maxTotalDataSize": 1,
    },
  });
}

/** Saves a full-page screenshot of a Firefox page as tests/artifacts/`name`.png. */
export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** Runs `step`; when it fails, a screenshot of `page` named `firefox-<name>` is saved first. */
export async function withFailureShot<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    await firefoxScreenshot(page, `firefox-${name}`).catch(() => undefined);
    throw e;
  }
}

/**
 * Waits for the first element matching `css` (searched through every shadow root: the client is
 * made of Lit components) whose accessible text — its aria-label, else its text — is `name`
 * (spaces collapsed); resolves to it.
 */
export async function waitDeep(page: Page, css: string, name: string, timeout = 60_000): Promise<ElementHandle> {
  const handle = await page.waitForFunction((sel: string, want: string) => {
    type El = { shadowRoot: Root | null; getAttribute(n: string): string | null; textContent: string | null };
    type Root = { querySelectorAll(s: string): Iterable<El> };
    const text = (e: El): string => (e.getAttribute("aria-label") ?? e.textContent ?? "").replace(/\s+/g, " ").trim();
    const find = (root: Root): El | undefined => {
      for (const e of root.querySelectorAll(sel)) if (text(e) === want) return e;
      for (const e of root.querySelectorAll("*")) {
        const inner = e.shadowRoot !== null ? find(e.shadowRoot) : undefined;
        if (inner !== undefined) return inner;
      }
      return undefined;
    };
    return find((globalThis as unknown as { document: Root }).document) ?? false;
  }, { timeout, polling: 100 }, css, name);
  const el = handle.asElement();
  if (el === null) throw new Error(`no element ${css} named ${name}`);
  return el as ElementHandle;
}
