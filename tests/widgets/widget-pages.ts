// Builds the widget pages the Chromium suites need (our Jitsi wrapper, the test host and test
// widget) with Vite into a temp folder, serves them on one ephemeral port under two origins
// (http://127.0.0.1:P hosts, http://localhost:P widgets: cross-origin, as deployed), and starts
// a lean headless Chromium.
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { build } from "vite";
import { chromium, type Browser } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "../..");
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".json": "application/json", ".css": "text/css", ".wasm": "application/wasm" };

export interface WidgetPages {
  hostOrigin: string;
  widgetsOrigin: string;
  /** Requests the server saw, path only. */
  served: string[];
  browser: Browser;
  stop(): Promise<void>;
}

/** `apps`: the widget apps built under /widgets/<app>/ (default: the Jitsi wrapper only). */
export async function startWidgetPages(opts: { jitsiConfig: unknown; apps?: readonly string[] }): Promise<WidgetPages> {
  const out = mkdtempSync(join(tmpdir(), "entente-widgets-"));
  const quiet = { logLevel: "error" as const };
  for (const app of opts.apps ?? ["jitsi"]) {
    await build({ ...quiet, root: join(ROOT, "widgets", app), configFile: join(ROOT, "widgets", app, "vite.config.ts"), build: { outDir: join(out, "widgets", app), emptyOutDir: true } });
  }
  await build({
    ...quiet, configFile: false, root: join(ROOT, "tests/widgets/fixtures"), base: "/fixtures/",
    build: { outDir: join(out, "fixtures"), emptyOutDir: true, target: "es2022", rollupOptions: { input: { host: join(ROOT, "tests/widgets/fixtures/host.html"), widget: join(ROOT, "tests/widgets/fixtures/test-widget.html"), live: join(ROOT, "tests/widgets/fixtures/live-widget.html"), echo: join(ROOT, "tests/widgets/fixtures/echo-widget.html") } } },
  });
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    served.push(path);
    if (path === "/widgets/jitsi/config.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(opts.jitsiConfig));
      return;
    }
    let file = normalize(join(out, path));
    if (!file.startsWith(out)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return {
    hostOrigin: `http://127.0.0.1:${port}`,
    widgetsOrigin: `http://localhost:${port}`,
    served,
    browser,
    async stop() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(out, { recursive: true, force: true });
    },
  };
}
