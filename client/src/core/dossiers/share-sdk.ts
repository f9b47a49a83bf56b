// SharePort over matrix-js-sdk: the agent's access token authenticates them to the council's share
// service (it checks it with /account/whoami); the service's address comes from config.json
// (`share.services[server name]`, written by `entente start`). openpgp is loaded on first use only.
import type { MatrixClient } from "matrix-js-sdk";
import { sendAny } from "../sdk-untyped.ts";
import type { FileShare, SharePort, ShareProgress, ShareRequest } from "./share-port.ts";
import { parseShareView, shareNotice, shareTag, uploadWithProgress } from "./share-service.ts";

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

  private async base(): Promise<string> {
    const url = await this.serviceUrl();
    if (url === undefined) throw new Error("no share service for this council (config.json share.services)");
    return url;
  }

  private async api(method: string, path: string): Promise<unknown> {
    const res = await fetch(`${await this.base()}${path}`, { method, headers: { Authorization: `Bearer ${this.client.getAccessToken() ?? ""}` } });
    const body = (await res.json().catch(() => ({}))) as { errcode?: string; error?: string };
    if (!res.ok) throw new Error(`${body.errcode ?? res.status}: ${body.error ?? ""}`);
    return body;
  }

  async share(req: ShareRequest, onProgress: (p: ShareProgress) => void): Promise<{ share: FileShare; password: string }> {
    const base = await this.base();
    onProgress({ phase: "encrypting" });
    const { encryptToBlob, sharePassword } = await import("./share-crypto.ts");
    const password = sharePassword();
    const cipher = await encryptToBlob(req.plain, password, req.name);
    const q = new URLSearchParams({ name: req.name, expires_in_hours: String(req.expiresInHours), max_downloads: String(req.maxDownloads), tag: await shareTag(req.roomId, req.entryId) });
    const created = parseShareView(await uploadWithProgress(`${base}/api/shares?${q}`, this.client.getAccessToken() ?? "", cipher, (sent, total) => onProgress({ phase: "uploading", sent, total })));
    await sendAny(this.client, req.roomId, "m.room.message", shareNotice(req, created));
    return { share: created, password };
  }

  async list(roomId: string, entryId: string): Promise<FileShare[]> {
    const body = (await this.api("GET", `/api/shares?tag=${await shareTag(roomId, entryId)}`)) as { shares?: unknown };
    return Array.isArray(body.shares) ? body.shares.map(parseShareView) : [];
  }

  async revoke(id: string): Promise<void> {
    await this.api("DELETE", `/api/shares/${encodeURIComponent(id)}`);
  }
}
