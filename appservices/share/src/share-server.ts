// The citizen sharing service (HTTP). Agents (Matrix access token, checked with /account/whoami on
// the council's homeserver) upload password-encrypted files and manage their links; recipients
// open /s/{id}, a static page that checks the password against the message's first packet, then
// downloads and decrypts in the browser. Errors are Matrix-style JSON, with a French `message`
// for the recipient's refusals.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { FRENCH, parseCreateParams, refusal, type AccessEntry, type Refusal, type ShareLimits, type ShareMeta } from "./share-rules.ts";
import { ShareInputError, ShareStore } from "./share-store.ts";
import { ShareHttpError, type ShareRouteContext, type ShareRouteModule } from "./share-routes.ts";
import { dropRoutes } from "./drop-routes.ts";

export interface ShareServiceOptions {
  dataDir: string;
  /** The council's homeserver, for /account/whoami. */
  homeserverUrl: string;
  host?: string;
  port?: number;
  /** Base of the links handed out (default: the listening address). */
  publicUrl?: string;
  maxBytes?: number;
  limits?: ShareLimits;
  now?: () => number;
  /** Lines of the service's log (default: stderr). Share ids, tokens and passwords never reach it. */
  log?: (line: string) => void;
  /** Route modules tried after the service's own routes (share-routes.ts). */
  routes?: readonly ShareRouteModule[];
}

export interface RunningShareService {
  url: string;
  store: ShareStore;
  close(): Promise<void>;
}

const PAGE = fileURLToPath(new URL("./page/", import.meta.url));
const OPENPGP = createRequire(import.meta.url).resolve("openpgp").replace(/dist\/node\/openpgp\.min\.cjs$/, "dist/openpgp.min.mjs");
/** The pages' static files (drop.js is served by drop-routes.ts). */
const STATIC: Record<string, string | undefined> = {
  "/static/recipient.js": `${PAGE}recipient.js`,
  "/static/page-common.js": `${PAGE}page-common.js`,
  "/static/sealed-name.js": `${PAGE}sealed-name.js`,
  "/static/page-text.js": `${PAGE}page-text.js`,
  "/static/page.css": `${PAGE}page.css`,
  "/static/openpgp.min.mjs": OPENPGP,
};

const HttpError = ShareHttpError;

export async function startShareService(o: ShareServiceOptions): Promise<RunningShareService> {
  const store = new ShareStore(o.dataDir);
  const now = o.now ?? Date.now;
  const limits = o.limits ?? { maxExpiryHours: 24 * 30, maxDownloads: 100 };
  const maxBytes = o.maxBytes ?? 4 * 1024 ** 3;
  const hs = o.homeserverUrl.replace(/\/+$/, "");
  let base = o.publicUrl ?? "";
  // Without a log, only errors go to stderr (tests and embedders stay quiet).
  const log = o.log ?? ((line: string) => void (line.startsWith("error") && process.stderr.write(`share service: ${line}\n`)));

  const agent = async (req: IncomingMessage): Promise<string> => {
    const auth = req.headers.authorization ?? "";
    const token = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (!token) throw new HttpError(401, "M_MISSING_TOKEN", "Missing access token");
    const res = await fetch(`${hs}/_matrix/client/v3/account/whoami`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (!res) throw new HttpError(502, "M_UNKNOWN", "The homeserver is unreachable");
    if (res.status === 401) throw new HttpError(401, "M_UNKNOWN_TOKEN", "Unknown access token");
    const body = (await res.json().catch(() => ({}))) as { user_id?: unknown };
    if (!res.ok || typeof body.user_id !== "string") throw new HttpError(401, "M_UNKNOWN_TOKEN", "Unknown access token");
    return body.user_id;
  };
  const entry = (req: IncomingMessage, action: AccessEntry["action"], reason?: Refusal): AccessEntry => ({
    at: now(), action, ip: req.socket.remoteAddress ?? "", userAgent: String(req.headers["user-agent"] ?? "").slice(0, 200), ...(reason ? { reason } : {}),
  });
  /** The share if a recipient may use it now; logs and throws the French refusal otherwise. */
  const usable = async (req: IncomingMessage, id: string): Promise<ShareMeta> => {
    const m = await store.get(id);
    if (!m) throw new HttpError(404, "M_NOT_FOUND", "Unknown share", { message: FRENCH.unknown });
    const why = refusal(m, now());
    if (why) {
      await store.log(id, entry(req, "refused", why));
      throw new HttpError(410, "M_FORBIDDEN", `Share ${why}`, { reason: why, message: FRENCH[why] });
    }
    return m;
  };
  const publicView = (m: ShareMeta) => ({
    id: m.id, ...nameOf(m), size: m.size, url: `${base}/s/${m.id}`, created_at: m.createdAt, expires_at: m.expiresAt,
    max_downloads: m.maxDownloads, downloads: m.downloads, revoked: m.revokedAt !== undefined, state: refusal(m, now()) ?? "active",
    ...(m.tag !== undefined && { tag: m.tag }),
  });
  // The citizens' reply links first, then the modules mounted by the caller (e.g. the archive route).
  const routes: ShareRouteModule[] = [dropRoutes({ maxBytes, maxExpiryHours: limits.maxExpiryHours, publicUrl: () => base }), ...(o.routes ?? [])];
  const ctx: ShareRouteContext = {
    agent, now, log, dataDir: o.dataDir,
    json: (res, status, body) => void res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body)),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body));
    };
    let m: RegExpExecArray | null;
    if (req.method === "POST" && path === "/api/shares") {
      const owner = await agent(req);
      const p = parseCreateParams(url.searchParams, limits, now());
      if (typeof p === "string") throw new HttpError(400, "M_INVALID_PARAM", p);
      const declared = Number(req.headers["content-length"] ?? "0");
      if (declared > maxBytes) throw new HttpError(413, "M_TOO_LARGE", `larger than ${maxBytes} bytes`);
      const meta = await store.create(owner, p, req, maxBytes, now());
      return json(201, publicView(meta));
    }
    if (req.method === "GET" && path === "/api/limits") {
      // What an agent may ask for (the client's expiry picker and download field): no secret, no token.
      return json(200, { max_expiry_hours: limits.maxExpiryHours, max_downloads: limits.maxDownloads, max_upload_bytes: maxBytes });
    }
    if (req.method === "GET" && path === "/api/shares") {
      const owner = await agent(req);
      const tag = url.searchParams.get("tag");
      const shares = (await store.list(owner)).filter((s) => tag === null || s.tag === tag);
      return json(200, { shares: await Promise.all(shares.map(async (s) => ({ ...publicView(s), access: await store.readLog(s.id) }))) });
    }
    if ((m = /^\/api\/shares\/([A-Za-z0-9_-]+)(\/log)?$/.exec(path))) {
      const owner = await agent(req);
      const id = m[1]!;
      const share = await store.get(id);
      if (!share || share.owner !== owner) throw new HttpError(404, "M_NOT_FOUND", "Unknown share");
      if (req.method === "GET" && m[2]) return json(200, { access: await store.readLog(id) });
      if (req.method === "DELETE" && !m[2]) {
        const updated = await store.update(id, (s) => {
          const meta = { ...s, revokedAt: s.revokedAt ?? now() };
          return { meta, result: meta };
        });
        return json(200, publicView(updated ?? share));
      }
      throw new HttpError(405, "M_UNRECOGNIZED", "Method not allowed");
    }
    if (req.method === "GET" && (m = /^\/s\/([A-Za-z0-9_-]+)$/.exec(path))) {
      const share = await store.get(m[1]!);
      if (share) await store.log(share.id, entry(req, "page"));
      const html = await readFile(`${PAGE}recipient.html`, "utf8");
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'", "Referrer-Policy": "no-referrer" });
      return void res.end(html);
    }
    if (req.method === "GET" && (m = /^\/s\/([A-Za-z0-9_-]+)\/(meta|key|data)$/.exec(path))) {
      const share = await usable(req, m[1]!);
      if (m[2] === "meta") return json(200, { ...nameOf(share), size: share.size, expires_at: share.expiresAt, downloads_left: share.maxDownloads - share.downloads });
      if (m[2] === "key") {
        await store.log(share.id, entry(req, "key"));
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Cache-Control": "no-store" });
        return void res.end(await store.skesk(share.id));
      }
      // Counted when the download starts: the page asks only after the password was checked.
      const counted = await store.update(share.id, (s) => {
        const why = refusal(s, now());
        return why ? { result: why } : { meta: { ...s, downloads: s.downloads + 1 }, result: "ok" as const };
      });
      if (counted !== "ok") {
        const why = counted ?? "revoked";
        await store.log(share.id, entry(req, "refused", why));
        throw new HttpError(410, "M_FORBIDDEN", `Share ${why}`, { reason: why, message: FRENCH[why] });
      }
      await store.log(share.id, entry(req, "download"));
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(share.size), "Cache-Control": "no-store" });
      store.data(share.id).pipe(res);
      return;
    }
    const file = req.method === "GET" ? STATIC[path] : undefined;
    if (file) {
      res.writeHead(200, { "Content-Type": `${file.endsWith(".css") ? "text/css" : "text/javascript"}; charset=utf-8`, "Cache-Control": "public, max-age=3600" });
      return void res.end(await readFile(file));
    }
    for (const route of routes) if (await route(req, res, url, ctx)) return;
    throw new HttpError(404, "M_UNRECOGNIZED", "Unrecognized request");
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    // The agents' web client is another origin; the API takes a bearer token, never a cookie.
    if (path.startsWith("/api/")) {
      res.setHeader("Access-Control-Allow-Origin", "*");
      if (req.method === "OPTIONS") {
        res.writeHead(204, { "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS", "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "600" }).end();
        return;
      }
    }
    // Share ids are the links' secrets: the log shows the route's shape only.
    res.once("finish", () => log(`${req.method ?? "?"} ${path.replace(/^\/(s|api\/shares|d|api\/drops)\/[A-Za-z0-9_-]+/, "/$1/{id}")} ${res.statusCode}`));
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof HttpError ? e
        : e instanceof ShareInputError ? new HttpError(e.status, e.errcode, e.message)
          : new HttpError(500, "M_UNKNOWN", "Internal error");
      if (!(e instanceof HttpError || e instanceof ShareInputError)) log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(err.status, { "Content-Type": "application/json", Connection: err.status === 413 ? "close" : "keep-alive" }).end(JSON.stringify({ errcode: err.errcode, error: err.message, ...err.extra }));
      if (!req.complete) req.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? "127.0.0.1", resolve));
  const addr = server.address();
  const url = `http://${o.host ?? "127.0.0.1"}:${typeof addr === "object" && addr ? addr.port : 0}`;
  base = (o.publicUrl ?? url).replace(/\/+$/, "");
  return {
    url, store,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The sealed name, or the clear one of a share made before names were sealed. */
function nameOf(m: ShareMeta): { sealed_name: string } | { name: string } | Record<string, never> {
  if (m.sealedName !== undefined) return { sealed_name: m.sealedName };
  return m.name !== undefined ? { name: m.name } : {};
}
