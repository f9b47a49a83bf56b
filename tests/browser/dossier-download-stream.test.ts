// Issue 15: dossier downloads stream to disk in Chromium. Headless Chromium cannot answer a save
// dialog, so the page takes the Service Worker path (client/src/core/dossiers/download-sw.ts): the
// WORKER fetches, verifies and decrypts the file part by part (the page gives it the keys once and
// shows the progress) and the browser's own download manager writes what it answers. One
// homeserver, a file in 4 encrypted parts (1 MiB threshold), uploaded through the page:
// - downloaded through the worker, byte-identical (SHA-256 of what Chromium saved), every media
//   request made by the service worker, none by the page;
// - a part whose connection closes half-way is resumed FROM THAT BYTE (a Range request), another
//   whose request is reset is fetched again, after backoff: byte-identical;
// - a part altered on the wire: the download stops with the French message and Chromium drops the
//   partial file (the download fails), nothing of that part was written;
// - a service worker stopped mid-download (CDP ServiceWorker.stopAllWorkers): the page's liveness
//   check (shortened through localStorage) fails it with the French message and offers « Reprendre »;
// - a Content-Type no header may carry (newline, characters above U+00FF) still downloads;
// - a download cancelled in Chromium's download manager (Playwright's Download.cancel) is said
//   cancelled, with nothing to resume.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Download, Page, Route } from "playwright-core";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";
import { launchChromium, screenshotOnFailure } from "../harness/browser.ts";
import { registerUser, startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const MEDIA = "**/_matrix/client/v1/media/download/**";

describe("dossier downloads streamed to disk through the service worker (Chromium)", function () {
  this.timeout(240_000);
  let hs: TestHomeserver;
  let web: ServedClient;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  const original = randomBytes(3 * MiB + 12_345);
  const name = "étude-mobilité.bin";
  screenshotOnFailure("dossier-download", () => page);

  before(async () => {
    const dist = await ensureClientBuild();
    hs = await startTestHomeserver();
    web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, extraConfig: { dossiers: { large_file_threshold: MiB } }, councils: [{ id: "a", label: "Ville A", serverName: "localhost", homeserverUrl: hs.url }] });
    browser = await launchChromium();
    const me = await registerUser(hs.url, "agent");
    const call = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${hs.url}/_matrix/client/v3${path}`, { method: path.includes("/state/") ? "PUT" : "POST", headers: { Authorization: `Bearer ${me.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const space = String((await call("/createRoom", { name: "Mobilité", preset: "private_chat", creation_content: { type: "m.space" } }))["room_id"]);
    const roomId = String((await call("/createRoom", {
      name: "Étude mobilité", preset: "private_chat", creation_content: { type: "fr.entente.dossier" },
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    }))["room_id"]);
    await call(`/rooms/${encodeURIComponent(space)}/state/m.space.child/${encodeURIComponent(roomId)}`, { via: [new URL(hs.url).hostname] });
    ctx = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
    const session = JSON.stringify({ baseUrl: hs.url, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
    await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    page = await ctx.newPage();
    await page.goto(`${web.url}#/dossier/${encodeURIComponent(roomId)}`);
    await page.getByRole("heading", { name: "Étude mobilité" }).waitFor({ timeout: 120_000 });
    await page.locator("input#files").setInputFiles({ name, mimeType: "application/octet-stream", buffer: original });
    await row().waitFor({ timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await hs?.stop();
  });

  const row = () => page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });

  /** Clicks "Télécharger" and returns Chromium's download (started as soon as the worker answers). */
  async function startDownload(): Promise<Download> {
    const [d] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), row().getByRole("button", { name: `Télécharger ${name}`, exact: true }).click()]);
    return d;
  }

  /** The media requests of the context (page and service worker), in order (URL path, Range header, made by the worker). */
  function recordMedia(): { url: string; range: string | undefined; worker: boolean }[] {
    const seen: { url: string; range: string | undefined; worker: boolean }[] = [];
    ctx.on("request", (r) => {
      if (r.url().includes("/_matrix/client/v1/media/download/") && r.method() === "GET") seen.push({ url: new URL(r.url()).pathname, range: r.headers()["range"], worker: r.serviceWorker() !== null });
    });
    return seen;
  }

  it("saves the file through the service worker, byte-identical, verified", async () => {
    const seen = recordMedia();
    const d = await startDownload();
    assert.equal(d.suggestedFilename(), name, "the worker's Content-Disposition carries the UTF-8 name");
    assert.equal(await d.failure(), null);
    assert.equal(sha256(await readFile((await d.path())!)), sha256(original));
    await page.getByText(`${name} enregistré sur le disque, déchiffré et vérifié (SHA-256).`).waitFor({ timeout: 30_000 });
    type Sw = { navigator: { serviceWorker: { controller: unknown; getRegistrations(): Promise<{ scope: string }[]> } } };
    const scopes = await page.evaluate(async () => (await (globalThis as unknown as Sw).navigator.serviceWorker.getRegistrations()).map((r) => new URL(r.scope).pathname));
    assert.deepEqual(scopes, ["/__entente_download__/"], "the worker's scope is its download path only: it controls no page");
    assert.equal(await page.evaluate(() => (globalThis as unknown as Sw).navigator.serviceWorker.controller), null);
    assert.equal(seen.length, 5, `the manifest and 4 parts: ${JSON.stringify(seen)}`);
    assert.ok(seen.every((r) => r.worker), `every media request made by the service worker: ${JSON.stringify(seen)}`);
  });

  // Routes are the context's: the service worker's requests do not go through the page's.
  it("a part cut half-way resumes from that byte (Range), a reset part is fetched again: byte-identical", async () => {
    const seen = recordMedia();
    let n = 0;
    let cutAt = 0;
    let cutPath = "";
    let resetPath = "";
    await ctx.route(MEDIA, async (route: Route) => {
      n++;
      // requests: 1 manifest, 2 part 1, 3 part 2 (closed half-way), 4 its resume, 5 part 3 (reset), …
      if (n === 3) {
        const res = await route.fetch();
        const body = await res.body();
        cutAt = Math.floor(body.length / 2);
        cutPath = new URL(route.request().url()).pathname;
        return route.fulfill({ response: res, body: body.subarray(0, cutAt) });
      }
      if (n === 5) {
        resetPath = new URL(route.request().url()).pathname;
        return route.abort("connectionreset");
      }
      return route.continue();
    });
    try {
      const d = await startDownload();
      const failure = await d.failure();
      assert.equal(failure, null, `download ${failure}; page: ${await page.locator("p[role=status], .status").allInnerTexts().catch(() => [])}; requests: ${JSON.stringify(seen)}`);
      assert.equal(sha256(await readFile((await d.path())!)), sha256(original), "byte-identical after the cuts");
    } finally {
      await ctx.unroute(MEDIA);
    }
    const cut = seen.filter((r) => r.url === cutPath);
    assert.deepEqual(cut.map((r) => r.range), [undefined, `bytes=${cutAt}-`], "the cut part went on from the byte where it stopped");
    const reset = seen.filter((r) => r.url === resetPath);
    assert.equal(reset.length, 2, "the reset part was asked again");
    await page.getByText(`${name} enregistré sur le disque, déchiffré et vérifié (SHA-256).`).waitFor({ timeout: 30_000 });
  });

  it("a part altered on the wire stops the download with a French message; Chromium drops the partial file", async () => {
    let n = 0;
    await ctx.route(MEDIA, async (route: Route) => {
      n++;
      if (n !== 3) return route.continue(); // the second part
      const res = await route.fetch();
      const body = Buffer.from(await res.body());
      body[body.length >> 1]! ^= 1;
      return route.fulfill({ response: res, body });
    });
    try {
      const d = await startDownload();
      await page.getByText(`${name} : le contenu reçu ne correspond pas à son empreinte SHA-256 (partie 2). Téléchargement arrêté, le fichier partiel est supprimé.`).waitFor({ timeout: 60_000 });
      assert.notEqual(await d.failure(), null, "the browser's download failed (its partial file is dropped)");
    } finally {
      await ctx.unroute(MEDIA);
    }
  });

  const step = <T>(p: Promise<T>, what: string): Promise<T> => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`waited 30 s for ${what}`)), 30_000))]);

  /**
   * Media requests pass except the `nth`, held until `release()`, then ended by `end` (not awaited:
   * the request's asker may be gone). `partAsked` resolves when the held request arrives.
   */
  async function holdMediaRequest(nth: number, end: (route: Route) => Promise<void>): Promise<{ partAsked: Promise<void>; release: () => void }> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const partAsked = new Promise<void>((resolve) => (reached = resolve));
    let n = 0;
    await ctx.route(MEDIA, async (route: Route) => {
      if (++n !== nth) return route.continue();
      reached();
      await held;
      void end(route).catch(() => undefined);
    });
    return { partAsked, release };
  }

  it("a service worker stopped mid-download: the page says so in French and offers « Reprendre »", async () => {
    await page.evaluate("localStorage.setItem('entente.download-stall-ms', '2000')");
    // the first part waits until the worker is stopped; the worker that asked is then gone
    const { partAsked, release } = await holdMediaRequest(2, (route) => route.abort("connectionreset"));
    try {
      const d = await step(startDownload(), "the download to start");
      await step(partAsked, "the first part's request");
      const cdp = await ctx.newCDPSession(page);
      await step(cdp.send("ServiceWorker.enable"), "CDP ServiceWorker.enable");
      await step(cdp.send("ServiceWorker.stopAllWorkers"), "CDP ServiceWorker.stopAllWorkers");
      await page.getByText(`${name} n'a pas pu être téléchargé : le service de téléchargement du navigateur ne répond plus`).waitFor({ timeout: 30_000 })
        .catch(async (e: unknown) => assert.fail(`${String(e)}; page: ${JSON.stringify(await page.locator("[role=status]").allInnerTexts())}`));
      await page.getByRole("button", { name: `Reprendre le téléchargement de ${name}` }).waitFor({ timeout: 10_000 });
      release();
      assert.notEqual(await step(d.failure(), "Chromium's download ending"), null, "Chromium's download failed too (no partial file kept)");
    } finally {
      release();
      void ctx.unrouteAll({ behavior: "ignoreErrors" }); // a handler of the stopped worker's request may never end
      await step(page.evaluate("localStorage.removeItem('entente.download-stall-ms')"), "localStorage");
    }
    // « Reprendre » downloads it again, whole and verified, from a new worker
    const [again] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.getByRole("button", { name: `Reprendre le téléchargement de ${name}` }).click()]);
    assert.equal(await step(again.failure(), "the resumed download"), null);
    assert.equal(sha256(await readFile((await step(again.path(), "its file"))!)), sha256(original));
  });

  it("a Content-Type no header may carry (newline, U+0100) still downloads, as application/octet-stream", async () => {
    const bytes = randomBytes(20_000);
    const [d] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), page.evaluate(`(async () => {
      const reg = await navigator.serviceWorker.register("/download-sw.js", { scope: "/__entente_download__/" });
      const sw = reg.active ?? await new Promise((resolve) => {
        const w = reg.installing ?? reg.waiting;
        w.addEventListener("statechange", () => w.state === "activated" && resolve(w));
      });
      const channel = new MessageChannel();
      const ready = new Promise((resolve) => (channel.port1.onmessage = resolve));
      const pipe = new TransformStream();
      sw.postMessage({ type: "entente-download", id: "weird-type", name: "bizarre.bin", mimetype: "text/html\\r\\nX-Injected: 1\\u0100", size: ${bytes.length}, stream: pipe.readable }, [channel.port2, pipe.readable]);
      await ready;
      const frame = document.createElement("iframe");
      frame.hidden = true;
      frame.src = "/__entente_download__/weird-type";
      document.body.append(frame);
      const w = pipe.writable.getWriter();
      await w.write(new Uint8Array([${[...bytes].join(",")}]));
      await w.close();
    })()`)]);
    assert.equal(d.suggestedFilename(), "bizarre.bin");
    assert.equal(await d.failure(), null);
    assert.equal(sha256(await readFile((await d.path())!)), sha256(bytes));
  });

  it("a download cancelled in Chromium's download manager is said cancelled, not failed", async () => {
    // the second part waits until the download was cancelled
    const { partAsked, release } = await holdMediaRequest(3, (route) => route.continue());
    try {
      const d = await step(startDownload(), "the download to start");
      await step(partAsked, "the second part's request");
      await d.cancel();
      release();
      await page.getByText(`Téléchargement de ${name} annulé.`).waitFor({ timeout: 30_000 })
        .catch(async (e: unknown) => assert.fail(`${String(e)}; page: ${JSON.stringify(await page.locator("[role=status]").allInnerTexts())}`));
      assert.equal(await page.getByRole("button", { name: `Reprendre le téléchargement de ${name}` }).count(), 0, "nothing to resume");
    } finally {
      release();
      void ctx.unrouteAll({ behavior: "ignoreErrors" });
    }
  });
});
