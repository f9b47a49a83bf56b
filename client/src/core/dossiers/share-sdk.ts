// SharePort over matrix-js-sdk: the agent's access token authenticates them to the council's share
// service (it checks it with /account/whoami); the service's address comes from config.json
// (`share.services[server name]`, written by `entente start`). openpgp is loaded on first use only.
import { Direction, type MatrixClient } from "matrix-js-sdk";
import { sendAny } from "../sdk-untyped.ts";
import type { FileDrop, FileShare, SharePort, ShareProgress, ShareRequest } from "./share-port.ts";
import { dropNotice, dropSecretIn, parseDrop, parseShareView, shareNotice, shareTag, uploadWithProgress } from "./share-service.ts";
import { checkName } from "./dossier-model.ts";
import { parseShareLimits, type ShareLimits } from "./share-expiry.ts";
import { openName } from "../../../../appservices/share/src/page/sealed-name.js";

/** Reply secrets made on this device, so the agent's own replies open without reading the room. */
const secretKey = (dropId: string): string => `entente.drop.${dropId}`;

let servicesPromise: Promise<Record<string, unknown>> | undefined;
function services(): Promise<Record<string, unknown>> {
  servicesPromise ??= fetch("./config.json", { cache: "no-cache" }).then((r) => r.json()).then((j: unknown) => {
    const share = typeof j === "object" && j !== null ? (j as Record<string, unknown>)["share"] : undefined;
    const s = typeof share === "object" && share !== null ? (share as Record<string, unknown>)["services"] : undefined;
    return typeof s === "object" && s !== null ? (s as Record<string, unknown>) : {};
  }, () => ({}));
  return servicesPromise;
}

export class MatrixSharePort implements SharePort {
  private readonly client: MatrixClient;

  constructor(client: MatrixClient) {
    this.client = client;
  }

  async serviceUrl(): Promise<string | undefined> {
    const url = (await services())[this.client.getDomain() ?? ""];
    return typeof url === "string" && /^https?:\/\//.test(url) ? url.replace(/\/+$/, "") : undefined;
  }

  async limits(): Promise<ShareLimits> {
    // Public (no token); a service from before /api/limits answers 404: its defaults then.
    const body = await this.raw("GET", "/api/limits").then((r) => (r.ok ? r.json() as Promise<unknown> : undefined), () => undefined);
    return parseShareLimits(body);
  }

  private async base(): Promise<string> {
    const url = await this.serviceUrl();
    if (url === undefined) throw new Error("no share service for this council (config.json share.services)");
    return url;
  }

  private async raw(method: string, path: string): Promise<Response> {
    return fetch(`${await this.base()}${path}`, { method, headers: { Authorization: `Bearer ${this.client.getAccessToken() ?? ""}` } });
  }

  private async api(method: string, path: string): Promise<unknown> {
    const res = await this.raw(method, path);
    const body = (await res.json().catch(() => ({}))) as { errcode?: string; error?: string };
    if (!res.ok) throw new Error(`${body.errcode ?? res.status}: ${body.error ?? ""}`);
    return body;
  }

  async share(req: ShareRequest, onProgress: (p: ShareProgress) => void): Promise<{ share: FileShare; password: string }> {
    const base = await this.base();
    onProgress({ phase: "encrypting" });
    const { encryptToBlob, sharePassword, shareQuery } = await import("./share-crypto.ts");
    const password = sharePassword();
    const cipher = await encryptToBlob(req.plain, password, req.name);
    // The name goes sealed with the link's fragment: the service never sees it (sealed-name.ts).
    const { query, fragment } = await shareQuery({ name: req.name, expiresAt: req.expiresAt, maxDownloads: req.maxDownloads, tag: await shareTag(req.roomId, req.entryId) });
    const created = parseShareView(await uploadWithProgress(`${base}/api/shares?${query}`, this.client.getAccessToken() ?? "", cipher, (sent, total) => onProgress({ phase: "uploading", sent, total })));
    await sendAny(this.client, req.roomId, "m.room.message", shareNotice(req, created));
    return { share: { ...created, url: `${created.url}#${fragment}` }, password };
  }

  async list(roomId: string, entryId: string): Promise<FileShare[]> {
    const body = (await this.api("GET", `/api/shares?tag=${await shareTag(roomId, entryId)}`)) as { shares?: unknown };
    return Array.isArray(body.shares) ? body.shares.map(parseShareView) : [];
  }

  async revoke(id: string): Promise<void> {
    await this.api("DELETE", `/api/shares/${encodeURIComponent(id)}`);
  }

  async createDrop(roomId: string, entryId: string, name: string, expiresInHours: number): Promise<{ drop: FileDrop; link: string }> {
    const { dropSecret } = await import("./share-crypto.ts");
    const secret = dropSecret();
    const body = (await this.api("POST", `/api/drops?expires_in_hours=${expiresInHours}&tag=${await shareTag(roomId, entryId)}`)) as Record<string, unknown>;
    const drop = parseDrop(body);
    localStorage.setItem(secretKey(drop.id), secret);
    await sendAny(this.client, roomId, "m.room.message", dropNotice(entryId, name, drop.id, secret, drop.expiresAt));
    return { drop, link: `${String(body["url"])}#${secret}` };
  }

  async drops(roomId: string, entryId: string): Promise<FileDrop[]> {
    const body = (await this.api("GET", `/api/drops?tag=${await shareTag(roomId, entryId)}`)) as { drops?: unknown };
    const drops = Array.isArray(body.drops) ? body.drops.map(parseDrop) : [];
    // Received replies' names are sealed with the link's secret: opened here, never by the service.
    return Promise.all(drops.map(async (d) => {
      if (d.name !== undefined || d.sealedName === undefined) return d;
      const secret = await this.secretOf(roomId, entryId, d.id).catch(() => undefined);
      const name = secret === undefined ? undefined : await openName(d.sealedName, secret);
      return name === undefined ? d : { ...d, name };
    }));
  }

  /** The drop's secret: this device's copy, else the encrypted notice in the file's thread. */
  private async secretOf(roomId: string, entryId: string, dropId: string): Promise<string> {
    const kept = localStorage.getItem(secretKey(dropId));
    if (kept !== null) return kept;
    const { events } = await this.client.relations(roomId, entryId, "m.thread", null, { dir: Direction.Backward, limit: 200 });
    for (const e of events) {
      await this.client.decryptEventIfNeeded(e);
      const found = dropSecretIn(e.getContent(), dropId);
      if (found !== undefined) return found;
    }
    throw new Error("the reply link's secret was not found in the dossier");
  }

  async receiveDrop(roomId: string, entryId: string, drop: FileDrop): Promise<File> {
    const secret = await this.secretOf(roomId, entryId, drop.id);
    const res = await this.raw("GET", `/api/drops/${encodeURIComponent(drop.id)}/data`);
    if (!res.ok || res.body === null) throw new Error(`share service: ${res.status}`);
    const { decryptDrop } = await import("./share-crypto.ts");
    const { blob, filename } = await decryptDrop(res.body, secret);
    const checked = checkName(drop.name ?? filename);
    return new File([blob], checked.ok ? checked.name : "reponse", { type: "application/octet-stream" });
  }

  async closeDrop(id: string): Promise<void> {
    await this.api("DELETE", `/api/drops/${encodeURIComponent(id)}`);
    localStorage.removeItem(secretKey(id));
  }
}
