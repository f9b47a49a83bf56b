// Pure helpers of share-sdk.ts: the share service's JSON parsed (it comes over the network), the
// tag grouping one file's shares, the room notice, and an upload with progress (XMLHttpRequest).
import { isRecord } from "../raw-event.ts";
import type { FileDrop, FileShare, ShareAccess, ShareRequest, ShareState } from "./share-port.ts";
import { formatMessage } from "../i18n/plural-format.ts";

const STATES: readonly ShareState[] = ["active", "revoked", "expired", "exhausted"];
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export function parseShareView(raw: unknown): FileShare {
  if (!isRecord(raw) || typeof raw["id"] !== "string" || typeof raw["url"] !== "string") throw new Error("share service: unexpected answer");
  const state = STATES.find((s) => s === raw["state"]) ?? "revoked";
  const access: ShareAccess[] = Array.isArray(raw["access"]) ? raw["access"].filter(isRecord).map((a) => ({
    at: num(a["at"]), action: String(a["action"] ?? ""), ...(typeof a["reason"] === "string" && { reason: a["reason"] }),
  })) : [];
  return { id: raw["id"], url: raw["url"], createdAt: num(raw["created_at"]), expiresAt: num(raw["expires_at"]), maxDownloads: num(raw["max_downloads"]), downloads: num(raw["downloads"]), state, access };
}

/** An opaque label for one file's shares: the service learns neither the room nor the file. */
export async function shareTag(roomId: string, entryId: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${roomId}\n${entryId}`)));
  return btoa(String.fromCharCode(...digest.subarray(0, 16))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The notice in the file's thread telling the dossier's members it was shared: no link and no
 * password (the link's id is its secret), only the version, the expiry and the download limit.
 */
export function shareNotice(req: ShareRequest, s: FileShare, timeZone = localTimeZone()): Record<string, unknown> {
  // Date and time in the zone the agent chose them in (their browser's: the dialog's date field is
  // local), naming the zone: other clients (Element) show only this body. The exact instant is in
  // fr.entente.share for clients that show it in their reader's zone.
  const until = zonedDateTime(s.expiresAt, timeZone);
  return {
    msgtype: "m.notice",
    body: `« ${req.name} » partagé avec une personne sans compte (lien chiffré par mot de passe, valable jusqu'au ${until.fr}, ${downloads(s.maxDownloads, "fr")} au plus) / shared with someone without an account (password-encrypted link, valid until ${until.en}, at most ${downloads(s.maxDownloads, "en")})`,
    "fr.entente.share": { version: req.version.eventId, expires_at: s.expiresAt, max_downloads: s.maxDownloads },
    "m.relates_to": { rel_type: "m.thread", event_id: req.entryId, is_falling_back: true, "m.in_reply_to": { event_id: req.entryId } },
  };
}

/** « 1 téléchargement », « 3 téléchargements » / "1 download", "3 downloads". */
const downloads = (n: number, locale: "fr" | "en"): string =>
  formatMessage(locale === "fr" ? "{n, plural, one {# téléchargement} other {# téléchargements}}" : "{n, plural, one {# download} other {# downloads}}", { n }, locale);

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** « 2 janvier 2027 à 01:00 (heure de Paris) » / "2 January 2027, 01:00 (Paris time)". */
export function zonedDateTime(at: number, timeZone: string): { fr: string; en: string } {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat("fr-FR", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  const city = zone === "UTC" ? "" : (zone.split("/").pop() ?? zone).replace(/_/g, " ");
  const fmt = (locale: string): string => new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: zone }).format(at);
  return {
    fr: `${fmt("fr-FR")} (${city ? `heure de ${city}` : "UTC"})`,
    en: `${fmt("en-GB")} (${city ? `${city} time` : "UTC"})`,
  };
}

/** The part of XMLHttpRequest used here (typed locally: the Node test build has no DOM library). */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  upload: { onprogress: ((e: { loaded: number; total: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  status: number;
  responseText: string;
  send(body: Blob): void;
}

/** POSTs `body`, reporting bytes sent; resolves with the JSON answer or rejects with its errcode. */
export function uploadWithProgress(url: string, token: string, body: Blob, onProgress: (sent: number, total: number) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const X = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;
    if (X === undefined) return reject(new Error("no XMLHttpRequest"));
    const xhr = new X();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total || body.size);
    xhr.onerror = () => reject(new Error("share service unreachable"));
    xhr.onload = () => {
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = {};
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json);
      else reject(new Error(`${isRecord(json) ? String(json["errcode"] ?? xhr.status) : xhr.status}: ${isRecord(json) ? String(json["error"] ?? "") : ""}`));
    };
    xhr.send(body);
  });
}

const DROP_STATES = ["waiting", "uploading", "received", "closed", "expired"] as const;

export function parseDrop(raw: unknown): FileDrop {
  if (!isRecord(raw) || typeof raw["id"] !== "string") throw new Error("share service: unexpected answer");
  const state = DROP_STATES.find((s) => s === raw["state"]) ?? "closed";
  return {
    id: raw["id"], createdAt: num(raw["created_at"]), expiresAt: num(raw["expires_at"]), state,
    ...(typeof raw["sealed_name"] === "string" && { sealedName: raw["sealed_name"] }),
    ...(typeof raw["name"] === "string" && { name: raw["name"] }),
    ...(typeof raw["size"] === "number" && { size: num(raw["size"]) }),
  };
}

/** The notice asking for a reply: in the file's thread, end-to-end encrypted; it carries the link's secret for the dossier's members. */
export function dropNotice(entryId: string, name: string, dropId: string, secret: string, expiresAt: number): Record<string, unknown> {
  const until = new Date(expiresAt).toISOString().slice(0, 10);
  return {
    msgtype: "m.notice",
    body: `Lien de dépôt créé pour une réponse à « ${name} » (valable jusqu'au ${until}) / reply link created for “${name}” (valid until ${until})`,
    [DROP_KEY]: { drop_id: dropId, secret },
    "m.relates_to": { rel_type: "m.thread", event_id: entryId, is_falling_back: true, "m.in_reply_to": { event_id: entryId } },
  };
}

export const DROP_KEY = "fr.entente.share.drop";

/** The secret of `dropId` in a decrypted notice's content, if it is that notice. */
export function dropSecretIn(content: Record<string, unknown>, dropId: string): string | undefined {
  const d = content[DROP_KEY];
  return isRecord(d) && d["drop_id"] === dropId && typeof d["secret"] === "string" ? d["secret"] : undefined;
}
