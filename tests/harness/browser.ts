// Debian's chromium driven by playwright-core for the web client's end-to-end tests. Missing
// chromium is a failure with the fix in the message (never a skipped test): `.ci/run` installs it.
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
export const ARTIFACTS = join(import.meta.dirname, "..", "artifacts");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH${process.env["CI"] === "true" ? " (CI=true: the browser suite must run)" : ""}`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/**
 * Chromium with a profile on disk in `userDataDir` (what a user's browser has), as one context: its
 * storage (e.g. the origin's private file system) lives in files, where a context of
 * launchChromium()'s browser keeps it in memory like a private window.
 */
export async function launchChromiumProfile(userDataDir: string, o: { locale?: string; acceptDownloads?: boolean } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH`);
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, ...o });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Registers an afterEach hook in the current suite: a failed test leaves a screenshot of `page()` named `<prefix>-<test title>`. */
export function screenshotOnFailure(prefix: string, page: () => Page | undefined): void {
  afterEach(async function () {
    const p = page();
    if (this.currentTest?.state === "failed" && p !== undefined) await screenshot(p, `${prefix}-${this.currentTest.title.slice(0, 40).replace(/\W+/g, "-")}`);
  });
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: number }

/** axe-core on the current page; only serious and critical violations are returned. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const g = globalThis as unknown as { document: unknown; axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } };
    const r = await g.axe.run(g.document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}
