// Shares and what a recipient may do with them (pure). The French messages are what the
// recipient page shows; the service sends them with the refusal.
import { SEALED_NAME } from "./page/sealed-name.js";

export interface ShareMeta {
  id: string;
  owner: string;
  /** The file name sealed by the agent's client with the link's fragment (sealed-name.ts). */
  sealedName?: string;
  /** Shares made before names were sealed kept it in clear. */
  name?: string;
  size: number;
  createdAt: number;
  expiresAt: number;
  maxDownloads: number;
  downloads: number;
  revokedAt?: number;
  /** The agent client's opaque label grouping the shares of one file (no meaning here). */
  tag?: string;
}

export interface AccessEntry {
  at: number;
  action: "page" | "key" | "download" | "refused";
  ip: string;
  userAgent: string;
  reason?: Refusal;
}

export type Refusal = "revoked" | "expired" | "exhausted";

export const FRENCH: Record<Refusal | "unknown", string> = {
  revoked: "Ce lien de partage a été révoqué par l'agent qui l'avait créé.",
  expired: "Ce lien de partage a expiré. Demandez un nouveau lien à votre interlocuteur.",
  exhausted: "Ce fichier a déjà été téléchargé le nombre de fois autorisé.",
  unknown: "Ce lien de partage n'existe pas. Vérifiez l'adresse reçue.",
};

export function refusal(m: ShareMeta, now: number): Refusal | undefined {
  if (m.revokedAt !== undefined) return "revoked";
  if (now >= m.expiresAt) return "expired";
  if (m.downloads >= m.maxDownloads) return "exhausted";
  return undefined;
}

export interface ShareLimits {
  maxExpiryHours: number;
  maxDownloads: number;
}

export type CreateParams = { sealedName: string; expiresAt: number; maxDownloads: number; tag?: string };

/**
 * How far past the maximum an `expires_at` may be and still be taken (then brought back to the
 * maximum): the agent's clock and the service's differ a little, and the upload takes time.
 */
export const EXPIRY_CLOCK_SLACK_MS = 10 * 60_000;

/**
 * The expiry of a new share or drop from `expires_at` (ms since the epoch: a date the agent chose;
 * in the future, at most `maxExpiryHours` ahead, give or take the clock slack, brought back to the
 * maximum) or `expires_in_hours` (whole hours, 1 to the maximum; 72 hours, or the maximum if
 * shorter, when neither is given). A string is an error message (M_INVALID_PARAM).
 */
export function parseExpiry(q: URLSearchParams, maxExpiryHours: number, now: number): number | string {
  const at = q.get("expires_at");
  const hours = q.get("expires_in_hours");
  const max = now + maxExpiryHours * 3_600_000;
  if (at !== null && hours !== null) return "expires_at or expires_in_hours, not both";
  if (at !== null) {
    if (!/^[0-9]{1,15}$/.test(at)) return "expires_at: milliseconds since the epoch";
    const t = Number(at);
    if (t <= now) return "expires_at: in the past";
    if (t > max + EXPIRY_CLOCK_SLACK_MS) return `expires_at: at most ${maxExpiryHours} hours ahead`;
    return Math.min(t, max);
  }
  if (hours === null) return now + Math.min(72, maxExpiryHours) * 3_600_000;
  if (!/^[0-9]{1,6}$/.test(hours) || Number(hours) < 1 || Number(hours) > maxExpiryHours) return `expires_in_hours: an integer from 1 to ${maxExpiryHours}`;
  return now + Number(hours) * 3_600_000;
}

/** Parses the query of POST /api/shares; a string is an error message (M_INVALID_PARAM). */
export function parseCreateParams(q: URLSearchParams, limits: ShareLimits, now: number): CreateParams | string {
  // The service never learns the file's name: a plain `name` is refused, not kept.
  if (q.has("name")) return "name: send sealed_name (the name sealed with the link's fragment), never the name in clear";
  const sealedName = q.get("sealed_name") ?? "";
  if (!SEALED_NAME.test(sealedName)) return "sealed_name: 39-1400 base64url characters";
  const int = (key: string, def: number, max: number): number | string => {
    const raw = q.get(key);
    if (raw === null) return def;
    if (!/^[0-9]{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) return `${key}: an integer from 1 to ${max}`;
    return Number(raw);
  };
  const expiresAt = parseExpiry(q, limits.maxExpiryHours, now);
  if (typeof expiresAt === "string") return expiresAt;
  const maxDownloads = int("max_downloads", Math.min(3, limits.maxDownloads), limits.maxDownloads);
  if (typeof maxDownloads === "string") return maxDownloads;
  const tag = q.get("tag");
  if (tag !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(tag)) return "tag: 1-64 letters, digits, - or _";
  return { sealedName, expiresAt, maxDownloads, ...(tag !== null && { tag }) };
}
