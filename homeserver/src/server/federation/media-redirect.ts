// The `Location` form of a federation media answer: the file part names a URL instead of carrying
// the bytes. We GET that URL unsigned, through the same SSRF guard and TLS settings as federation
// (a remote server must not be able to point us at our own network), following a few redirects.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1mediadownloadmediaid
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { FederationConfig } from "../../config/config-types.ts";
import { OutboundTransport, trustedCertificates, type OutboundTarget } from "./transport/outbound-http.ts";

export interface UrlResponse {
  headers: IncomingHttpHeaders;
  stream: IncomingMessage;
}

/** GETs an absolute URL; resolves with a 2xx response whose body the caller reads. */
export type UrlFetch = (url: string, opts: { timeoutMs: number; idleTimeoutMs: number }) => Promise<UrlResponse>;

const MAX_REDIRECTS = 3;

type RedirectConfig = Pick<FederationConfig, "hostMap" | "extraCaPath" | "tlsVerify">;

/** Where to connect for `url`; private addresses and plain http only for host_map targets (tests). */
export function urlTarget(url: URL, hostMap: RedirectConfig["hostMap"]): OutboundTarget {
  const scheme = url.protocol === "https:" ? "https" : url.protocol === "http:" ? "http" : undefined;
  if (scheme === undefined) throw new Error(`unsupported media redirect scheme ${url.protocol}`);
  const connectHost = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
  const mapped = [...hostMap.values()].some((t) => t.host === connectHost && t.port === port && t.scheme === scheme);
  if (scheme === "http" && !mapped) throw new Error("media redirects must use https");
  return { scheme, connectHost, port, hostHeader: url.host, tlsServerName: undefined, allowPrivate: mapped };
}

export function guardedUrlFetcher(config: RedirectConfig): { fetch: UrlFetch; close(): void } {
  const transport = new OutboundTransport({ ca: trustedCertificates(config.extraCaPath), rejectUnauthorized: config.tlsVerify });
  const fetch: UrlFetch = async (url, opts) => {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const res = await getOnce(transport, current, urlTarget(current, config.hostMap), opts.timeoutMs);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined && hop < MAX_REDIRECTS) {
        res.destroy();
        current = new URL(location, current);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        throw new Error(`media redirect target answered HTTP ${status}`);
      }
      res.setTimeout(opts.idleTimeoutMs, () => res.destroy(new Error("media download stalled")));
      return { headers: res.headers, stream: res };
    }
  };
  return { fetch, close: () => transport.close() };
}

async function getOnce(transport: OutboundTransport, url: URL, target: OutboundTarget, timeoutMs: number): Promise<IncomingMessage> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    return await transport.send(target, { method: "GET", path: url.pathname + url.search, headers: {}, body: undefined, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}
