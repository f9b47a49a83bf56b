// POSTs one notification to a push gateway (POST {url}, the pusher's data.url ending in
// /_matrix/push/v1/notify). The URL comes from a client, so the connection goes through the same
// SSRF guard as federation (server/federation/transport/): loopback, private and link-local
// addresses are refused unless the host is in push.gateway_private_hosts.
// Spec: https://spec.matrix.org/v1.16/push-gateway-api/#post_matrixpushv1notify
import { OutboundTransport, readLimited, trustedCertificates } from "../federation/transport/outbound-http.ts";

export type GatewayResult =
  | { ok: true; rejected: string[] }
  /** `retry`: worth trying again later (network, 5xx, 429); otherwise the gateway refused this push. */
  | { ok: false; retry: boolean; detail: string };

const MAX_RESPONSE_BYTES = 64 * 1024;

export class GatewayClient {
  private readonly transport = new OutboundTransport({ ca: trustedCertificates(undefined), rejectUnauthorized: true });
  private readonly privateHosts: ReadonlySet<string>;
  private readonly timeoutMs: number;

  constructor(opts: { privateHosts: readonly string[]; timeoutMs: number }) {
    this.privateHosts = new Set(opts.privateHosts.map((h) => h.toLowerCase()));
    this.timeoutMs = opts.timeoutMs;
  }

  async notify(url: string, body: unknown, stop: AbortSignal): Promise<GatewayResult> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { ok: false, retry: false, detail: "invalid url" };
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") return { ok: false, retry: false, detail: "not http(s)" };
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]);
    try {
      const res = await this.transport.send(
        { scheme: u.protocol === "https:" ? "https" : "http", connectHost: host, port: Number(u.port) || (u.protocol === "https:" ? 443 : 80),
          hostHeader: u.host, tlsServerName: undefined, allowPrivate: this.privateHosts.has(host.toLowerCase()) },
        { method: "POST", path: u.pathname + u.search, headers: { "Content-Type": "application/json" }, body: Buffer.from(JSON.stringify(body)), signal });
      const text = (await readLimited(res, MAX_RESPONSE_BYTES)).toString("utf8");
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return { ok: true, rejected: rejectedOf(text) };
      return { ok: false, retry: status >= 500 || status === 429, detail: `status ${status}` };
    } catch (e: unknown) {
      const forbidden = e instanceof Error && e.name === "ForbiddenAddressError";
      return { ok: false, retry: !forbidden, detail: e instanceof Error ? e.message : String(e) };
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** The pushkeys the gateway says are no longer valid (`{"rejected": [...]}`); anything else: none. */
export function rejectedOf(text: string): string[] {
  try {
    const j = JSON.parse(text) as unknown;
    const r = typeof j === "object" && j !== null ? (j as Record<string, unknown>)["rejected"] : undefined;
    return Array.isArray(r) ? r.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
