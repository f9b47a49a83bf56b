// One-time reply links ("liens de dépôt"): an agent asks a citizen for a document. The agent's
// client makes a random secret, creates the drop here and hands out `<url>#<secret>`: the fragment
// never reaches this service. The citizen's page (page/drop.html) encrypts the chosen file with
// that secret (OpenPGP, AEAD + Argon2, the same checks as shares: packets.ts) and uploads it once;
// the agent's client downloads the ciphertext, decrypts it and adds it to the dossier, then closes
// the drop (the ciphertext is deleted). Stored per drop: meta.json, data.pgp; 0600 files.
//   POST   /api/drops?expires_in_hours=&tag=   agent: 201 {id, url, expires_at, state} (or expires_at=, ms)
//   GET    /api/drops[?tag=]                     agent: their drops
//   GET    /api/drops/{id}/data                  owner: the ciphertext once received
//   DELETE /api/drops/{id}                       owner: close (ciphertext deleted)
//   GET    /d/{id}, /d/{id}/meta                 citizen: the page; expiry and whether it still accepts
//   POST   /d/{id}/data?sealed_name=             citizen: the ciphertext, once (name sealed)
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { checkPasswordMessage } from "./packets.ts";
import { ShareHttpError, type ShareRouteModule } from "./share-routes.ts";
import { parseExpiry } from "./share-rules.ts";
import { SEALED_NAME } from "./page/sealed-name.js";

export interface DropMeta {
  id: string;
  owner: string;
  createdAt: number;
  expiresAt: number;
  tag?: string;
  /** waiting → uploading → received → closed. */
  state: "waiting" | "uploading" | "received" | "closed";
  /** The reply's file name sealed by the citizen's page with the link's secret (sealed-name.ts). */
  sealedName?: string;
  /** Replies received before names were sealed kept it in clear. */
  name?: string;
  size?: number;
  receivedAt?: number;
}

export const DROP_FRENCH = {
  used: "Ce lien de dépôt a déjà servi : un document a été envoyé. Demandez un nouveau lien à votre interlocuteur.",
  expired: "Ce lien de dépôt a expiré. Demandez un nouveau lien à votre interlocuteur.",
  unknown: "Ce lien de dépôt n'existe pas. Vérifiez l'adresse reçue.",
} as const;

const ID = /^[A-Za-z0-9_-]{22}$/;
const PAGE = fileURLToPath(new URL("./page/", import.meta.url));

export function dropRoutes(o: { maxBytes: number; maxExpiryHours: number; publicUrl: () => string }): ShareRouteModule {
  let lock: Promise<unknown> = Promise.resolve();
  return async (req, res, url, ctx) => {
    const root = join(ctx.dataDir, "drops");
    const dir = (id: string): string => join(root, id);
    const get = async (id: string): Promise<DropMeta | undefined> => (ID.test(id) ? (JSON.parse(await readFile(join(dir(id), "meta.json"), "utf8").catch(() => "null")) as DropMeta | null) ?? undefined : undefined);
    const put = async (m: DropMeta): Promise<void> => {
      await writeFile(join(dir(m.id), "meta.json.tmp"), JSON.stringify(m), { mode: 0o600 });
      await rename(join(dir(m.id), "meta.json.tmp"), join(dir(m.id), "meta.json"));
    };
    /** Read-modify-write of a drop's meta under one lock (the upload's reservation is atomic). */
    const update = <T>(id: string, change: (m: DropMeta) => { meta?: DropMeta; result: T }): Promise<T | undefined> => {
      const run = lock.then(async () => {
        const m = await get(id);
        if (!m) return undefined;
        const r = change(m);
        if (r.meta) await put(r.meta);
        return r.result;
      });
      lock = run.catch(() => undefined);
      return run;
    };
    const view = (m: DropMeta) => ({
      id: m.id, url: `${o.publicUrl()}/d/${m.id}`, created_at: m.createdAt, expires_at: m.expiresAt, state: m.state === "waiting" && ctx.now() >= m.expiresAt ? "expired" : m.state,
      ...(m.tag !== undefined && { tag: m.tag }), ...(m.state === "received" || m.state === "closed" ? { ...(m.sealedName !== undefined ? { sealed_name: m.sealedName } : m.name !== undefined ? { name: m.name } : {}), ...(m.size !== undefined && { size: m.size, received_at: m.receivedAt }) } : {}),
    });
    const owned = async (r: IncomingMessage, id: string): Promise<DropMeta> => {
      const owner = await ctx.agent(r);
      const m = await get(id);
      if (!m || m.owner !== owner) throw new ShareHttpError(404, "M_NOT_FOUND", "Unknown drop");
      return m;
    };
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (path === "/api/drops" && req.method === "POST") {
      const owner = await ctx.agent(req);
      const expiresAt = parseExpiry(url.searchParams, o.maxExpiryHours, ctx.now());
      const tag = url.searchParams.get("tag");
      if (typeof expiresAt === "string") throw new ShareHttpError(400, "M_INVALID_PARAM", expiresAt);
      if (tag !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(tag)) throw new ShareHttpError(400, "M_INVALID_PARAM", "tag: 1-64 letters, digits, - or _");
      const id = randomBytes(16).toString("base64url");
      await mkdir(dir(id), { recursive: true, mode: 0o700 });
      const meta: DropMeta = { id, owner, createdAt: ctx.now(), expiresAt, state: "waiting", ...(tag !== null && { tag }) };
      await put(meta);
      ctx.json(res, 201, view(meta));
      return true;
    }
    if (path === "/api/drops" && req.method === "GET") {
      const owner = await ctx.agent(req);
      const tag = url.searchParams.get("tag");
      const metas = await Promise.all((await readdir(root).catch(() => [] as string[])).map(get));
      const mine = metas.filter((d): d is DropMeta => d !== undefined && d.owner === owner && (tag === null || d.tag === tag)).sort((a, b) => b.createdAt - a.createdAt);
      ctx.json(res, 200, { drops: mine.map(view) });
      return true;
    }
    if ((m = /^\/api\/drops\/([A-Za-z0-9_-]+)(\/data)?$/.exec(path))) {
      const drop = await owned(req, m[1] ?? "");
      if (req.method === "GET" && m[2]) {
        if (drop.state !== "received") throw new ShareHttpError(404, "M_NOT_FOUND", "Nothing received");
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(drop.size ?? 0), "Cache-Control": "no-store" });
        createReadStream(join(dir(drop.id), "data.pgp")).pipe(res);
        return true;
      }
      if (req.method === "DELETE" && !m[2]) {
        await update(drop.id, (d) => ({ meta: { ...d, state: "closed" }, result: undefined }));
        await rm(join(dir(drop.id), "data.pgp"), { force: true });
        ctx.json(res, 200, view({ ...drop, state: "closed" }));
        return true;
      }
      throw new ShareHttpError(405, "M_UNRECOGNIZED", "Method not allowed");
    }
    if (req.method === "GET" && (m = /^\/d\/([A-Za-z0-9_-]+)$/.exec(path))) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'", "Referrer-Policy": "no-referrer" });
      res.end(await readFile(`${PAGE}drop.html`, "utf8"));
      return true;
    }
    if (req.method === "GET" && path === "/static/drop.js") {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" });
      res.end(await readFile(`${PAGE}drop.js`));
      return true;
    }
    if ((m = /^\/d\/([A-Za-z0-9_-]+)\/(meta|data)$/.exec(path))) {
      const id = m[1] ?? "";
      const drop = await get(id);
      const refuse = (d: DropMeta | undefined): never => {
        if (!d) throw new ShareHttpError(404, "M_NOT_FOUND", "Unknown drop", { message: DROP_FRENCH.unknown });
        const why = d.state !== "waiting" ? "used" : "expired";
        throw new ShareHttpError(410, "M_FORBIDDEN", `Drop ${why}`, { reason: why, message: DROP_FRENCH[why] });
      };
      if (!drop || drop.state !== "waiting" || ctx.now() >= drop.expiresAt) return refuse(drop);
      if (req.method === "GET" && m[2] === "meta") {
        ctx.json(res, 200, { expires_at: drop.expiresAt, max_bytes: o.maxBytes });
        return true;
      }
      if (req.method !== "POST" || m[2] !== "data") throw new ShareHttpError(405, "M_UNRECOGNIZED", "Method not allowed");
      // The name comes sealed with the link's secret; a name in clear is refused, never kept.
      if (url.searchParams.has("name")) throw new ShareHttpError(400, "M_INVALID_PARAM", "name: send sealed_name, never the name in clear");
      const sealedName = url.searchParams.get("sealed_name") ?? "";
      if (!SEALED_NAME.test(sealedName)) throw new ShareHttpError(400, "M_INVALID_PARAM", "sealed_name: 39-1400 base64url characters");
      // Reserve the drop: a second upload, even concurrent, is refused.
      const reserved = await update(id, (d) => (d.state === "waiting" && ctx.now() < d.expiresAt ? { meta: { ...d, state: "uploading" }, result: true } : { result: false }));
      if (reserved !== true) return refuse(await get(id));
      try {
        const size = await receive(req, join(dir(id), "data.pgp"), o.maxBytes);
        await update(id, (d) => ({ meta: { ...d, state: "received", sealedName, size, receivedAt: ctx.now() }, result: undefined }));
        ctx.log(`drop received (${size} bytes)`);
        ctx.json(res, 201, { received: true });
      } catch (e: unknown) {
        await rm(join(dir(id), "data.pgp"), { force: true });
        await update(id, (d) => ({ meta: { ...d, state: "waiting" }, result: undefined }));
        throw e;
      }
      return true;
    }
    return false;
  };
}

/** Writes the body to `file` if it is a password-encrypted AEAD OpenPGP message (packets.ts); returns its size. */
async function receive(req: IncomingMessage, file: string, maxBytes: number): Promise<number> {
  let size = 0;
  await pipeline(req, new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      cb(size > maxBytes ? new ShareHttpError(413, "M_TOO_LARGE", `larger than ${maxBytes} bytes`) : null, chunk);
    },
  }), createWriteStream(file, { mode: 0o600 }));
  const fh = await open(file);
  const head = new Uint8Array(8192);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  await fh.close();
  const check = checkPasswordMessage(head.subarray(0, bytesRead));
  if (!check.ok) throw new ShareHttpError(400, "M_BAD_JSON", `refused: ${check.why}`);
  return size;
}
