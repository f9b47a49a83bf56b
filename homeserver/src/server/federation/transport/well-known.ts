// GET https://<hostname>/.well-known/matrix/server, following redirects, through the SSRF guard.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#getwell-knownmatrixserver
import { isIP } from "node:net";
import { isValidServerName } from "../../../spec/ids.ts";
import { readLimited, type OutboundTransport } from "./outbound-http.ts";

/** ok: the delegated server name; otherwise why not, and whether it may work soon (network, 5xx). */
export type WellKnownResult =
  | { ok: true; server: string; cacheMs: number | undefined }
  | { ok: false; reason: string; transient: boolean };

export type WellKnownFetcher = (hostname: string) => Promise<WellKnownResult>;

const MAX_REDIRECTS = 5;
const MAX_BYTES = 64 * 1024;
const HOUR = 3600_000;
/** The spec recommends at most 48 hours of caching. */
export const MAX_CACHE_MS = 48 * HOUR;

/** max-age from Cache-Control, in ms (capped); 0 for no-store/no-cache; undefined when absent. */
export function cacheMsOf(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined) return undefined;
  if (/(^|,)\s*no-(store|cache)\b/i.test(cacheControl)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Math.min(Number(m[1]) * 1000, MAX_CACHE_MS) : undefined;
}

/** The `m.server` value of a well-known body, if valid (any Content-Type: the spec says parse regardless). */
export function parseWellKnown(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const server: unknown = (json as Record<string, unknown>)["m.server"];
  return typeof server === "string" && isValidServerName(server) ? server : undefined;
}

export function httpsWellKnownFetcher(transport: OutboundTransport, timeoutMs = 10_000): WellKnownFetcher {
  return async (hostname) => {
    const signal = AbortSignal.timeout(timeoutMs);
    let url = new URL(`https://${isIP(hostname) === 6 ? `[${hostname}]` : hostname}/.well-known/matrix/server`);
    const seen = new Set<string>();
    try {
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        seen.add(url.href);
        const host = url.hostname.replace(/^\[|\]$/g, "");
        const res = await transport.send(
          { scheme: "https", connectHost: host, port: Number(url.port || 443), hostHeader: url.host, tlsServerName: host, allowPrivate: false },
          { method: "GET", path: url.pathname + url.search, headers: { Accept: "application/json" }, body: undefined, signal },
        );
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          res.resume();
          const next = new URL(res.headers.location, url);
          if (next.protocol !== "https:") return { ok: false, reason: `redirect to ${next.protocol} refused`, transient: false };
          if (seen.has(next.href)) return { ok: false, reason: "redirect loop", transient: false };
          url = next;
          continue;
        }
        const body = (await readLimited(res, MAX_BYTES)).toString("utf8");
        if (status !== 200) return { ok: false, reason: `HTTP ${status}`, transient: status >= 500 };
        const server = parseWellKnown(body);
        if (server === undefined) return { ok: false, reason: "invalid m.server", transient: false };
        return { ok: true, server, cacheMs: cacheMsOf(res.headers["cache-control"]) };
      }
      return { ok: false, reason: `more than ${MAX_REDIRECTS} redirects`, transient: false };
    } catch (err: unknown) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err), transient: true };
    }
  };
}
