// The agent's side (browser or Node): re-encrypt one file for a citizen with a password
// (OpenPGP SEIPDv2 = AEAD, Argon2 S2K, streamed), upload it, manage the link. The password is never
// sent to the service: the agent passes it to the citizen by another channel (SMS, phone).
import * as openpgp from "openpgp";
import { nameKey, sealName } from "./page/sealed-name.js";

export function shareEncryptionConfig(): openpgp.PartialConfig {
  return { aeadProtect: true, s2kType: openpgp.enums.s2k.argon2, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed };
}

/** The plaintext stream, encrypted with `password` as a binary OpenPGP message stream. */
export async function encryptForShare(plain: ReadableStream<Uint8Array>, password: string, name: string): Promise<ReadableStream<Uint8Array>> {
  const message = await openpgp.createMessage({ binary: plain, filename: name, format: "binary" });
  return openpgp.encrypt({ message, passwords: [password], format: "binary", config: shareEncryptionConfig() });
}

/** A random password for the citizen, easy to read out: 5 groups of 4 lowercase letters/digits. */
export function sharePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(20));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]!);
  return [0, 4, 8, 12, 16].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

export interface ShareView {
  id: string;
  /** The file name sealed with the link's fragment (shares made before sealing: `name`). */
  sealed_name?: string;
  name?: string;
  size: number;
  url: string;
  created_at: number;
  expires_at: number;
  max_downloads: number;
  downloads: number;
  revoked: boolean;
  state: "active" | "revoked" | "expired" | "exhausted";
  tag?: string;
  access?: { at: number; action: string; ip: string; userAgent: string; reason?: string }[];
}

export class ShareApiError extends Error {
  readonly status: number;
  readonly errcode: string | undefined;
  constructor(status: number, errcode: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.errcode = errcode;
  }
}

export interface ShareClientOptions {
  serviceUrl: string;
  accessToken: string;
}

async function api<T>(o: ShareClientOptions, method: string, path: string, init: RequestInit & { duplex?: "half" } = {}): Promise<T> {
  const res = await fetch(o.serviceUrl.replace(/\/+$/, "") + path, { ...init, method, headers: { Authorization: `Bearer ${o.accessToken}`, ...(init.headers as Record<string, string> | undefined) } });
  const body = (await res.json().catch(() => ({}))) as { errcode?: string; error?: string };
  if (!res.ok) throw new ShareApiError(res.status, body.errcode, `${method} ${path}: ${res.status} ${body.error ?? ""}`);
  return body as T;
}

/** The query of POST /api/shares and the fragment ending the link: the name is sealed with it. */
export async function shareQuery(p: { name: string; expiresInHours?: number; expiresAt?: number; maxDownloads?: number; tag?: string }): Promise<{ query: URLSearchParams; fragment: string }> {
  const fragment = nameKey();
  const q = new URLSearchParams({ sealed_name: await sealName(p.name, fragment) });
  if (p.tag !== undefined) q.set("tag", p.tag);
  if (p.expiresInHours !== undefined) q.set("expires_in_hours", String(p.expiresInHours));
  if (p.expiresAt !== undefined) q.set("expires_at", String(Math.round(p.expiresAt)));
  if (p.maxDownloads !== undefined) q.set("max_downloads", String(p.maxDownloads));
  return { query: q, fragment };
}

/**
 * Uploads the ciphertext (a stream in Node; browsers without streaming uploads pass a Blob).
 * `link` is the address to give the citizen: the service's `url` plus the fragment that opens the name.
 */
export async function createShare(o: ShareClientOptions, p: { name: string; ciphertext: ReadableStream<Uint8Array> | Blob; expiresInHours?: number; expiresAt?: number; maxDownloads?: number; tag?: string }): Promise<ShareView & { link: string }> {
  const { query, fragment } = await shareQuery(p);
  const view = await api<ShareView>(o, "POST", `/api/shares?${query}`, { body: p.ciphertext, headers: { "Content-Type": "application/octet-stream" }, ...(p.ciphertext instanceof Blob ? {} : { duplex: "half" as const }) });
  return { ...view, link: `${view.url}#${fragment}` };
}

/** The agent's shares; with `tag`, only those created with it (one file's). */
export const listShares = async (o: ShareClientOptions, tag?: string): Promise<ShareView[]> =>
  (await api<{ shares: ShareView[] }>(o, "GET", `/api/shares${tag === undefined ? "" : `?tag=${encodeURIComponent(tag)}`}`)).shares;
export const revokeShare = (o: ShareClientOptions, id: string): Promise<ShareView> => api<ShareView>(o, "DELETE", `/api/shares/${encodeURIComponent(id)}`);
