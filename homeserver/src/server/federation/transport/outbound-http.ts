// One outbound HTTP(S) exchange with a resolved federation target: the address is checked by the
// SSRF guard, TLS is verified against the system CAs plus federation.extra_ca_path, SNI and the
// certificate name follow the server discovery rules.
// https://spec.matrix.org/v1.16/server-server-api/#tls
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { createSecureContext, getCACertificates } from "node:tls";
import { ForbiddenAddressError, guardedLookup, isForbiddenAddress, type AddressResolver } from "./ssrf-guard.ts";

/** Where and how to connect, as decided by server discovery (or host_map). */
export interface OutboundTarget {
  /** "http" only through a host_map "http://" entry (tests). */
  scheme: "https" | "http";
  /** What to connect to: a host name (resolved through the guard) or an IP literal, no brackets. */
  connectHost: string;
  port: number;
  /** The Host header. */
  hostHeader: string;
  /** SNI and the name the certificate must be valid for; undefined: connectHost (an IP: no SNI). */
  tlsServerName: string | undefined;
  /** host_map targets may be private addresses; nothing else may. */
  allowPrivate: boolean;
}

export interface ExchangeOptions {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | undefined;
  /** Aborts the exchange (timeouts). */
  signal: AbortSignal;
}

/** The CAs to trust: Node's default set (bundled or system, plus NODE_EXTRA_CA_CERTS) and ours. */
export function trustedCertificates(extraCaPath: string | undefined): string[] {
  const defaults = getCACertificates("default");
  return extraCaPath === undefined ? [...defaults] : [...defaults, readFileSync(extraCaPath, "utf8")];
}

const MAX_SOCKETS = 16;

/** A request failed on a reused keep-alive connection before any answer (see `send`). */
class StaleSocketError extends Error {
  constructor(cause: unknown) {
    super("kept-alive connection closed by the other side", { cause });
  }
}

const isConnectionReset = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return code === "ECONNRESET" || code === "EPIPE";
};

/** Keep-alive agents and the guarded lookups shared by all exchanges of one client. */
export class OutboundTransport {
  private httpsAgent: HttpsAgent | undefined;
  private readonly tlsOptions: { ca: string[]; rejectUnauthorized: boolean };
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  private readonly publicLookup;
  private readonly privateLookup;

  constructor(opts: { ca: string[]; rejectUnauthorized: boolean; resolver?: AddressResolver }) {
    this.tlsOptions = { ca: opts.ca, rejectUnauthorized: opts.rejectUnauthorized };
    this.publicLookup = guardedLookup(false, opts.resolver);
    this.privateLookup = guardedLookup(true, opts.resolver);
  }

  /**
   * One TLS context built from the CAs, not the CA list as an option: the agent keys its socket
   * pools by a name that includes `ca` verbatim (the ~260 default CAs: a 400 kB string built and
   * hashed for every request, ≈ 0.3 ms), and a context built per new connection costs ≈ 12 ms.
   * Built at the first HTTPS exchange (several transports exist; some never speak HTTPS).
   */
  private get https(): HttpsAgent {
    this.httpsAgent ??= new HttpsAgent({
      keepAlive: true, maxSockets: MAX_SOCKETS, secureContext: createSecureContext({ ca: this.tlsOptions.ca }), rejectUnauthorized: this.tlsOptions.rejectUnauthorized,
    });
    return this.httpsAgent;
  }

  /** Sends the request; resolves with the response once its headers arrived. */
  send(target: OutboundTarget, opts: ExchangeOptions): Promise<IncomingMessage> {
    const lookup = target.allowPrivate ? this.privateLookup : this.publicLookup;
    const common = {
      host: target.connectHost, port: target.port, method: opts.method, path: opts.path, signal: opts.signal, lookup,
      headers: { ...opts.headers, Host: target.hostHeader },
    };
    // net.connect never calls `lookup` for an IP literal: check those here.
    if (!target.allowPrivate && isIP(target.connectHost) !== 0 && isForbiddenAddress(target.connectHost)) {
      return Promise.reject(new ForbiddenAddressError(target.connectHost, [target.connectHost]));
    }
    const once = (): Promise<IncomingMessage> => new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => resolve(res);
      const req = target.scheme === "http"
        ? httpRequest({ ...common, agent: this.http }, onResponse)
        : httpsRequest({ ...common, agent: this.https, servername: sniOf(target) }, onResponse);
      req.on("error", (err) => reject(req.reusedSocket && !opts.signal.aborted && isConnectionReset(err) ? new StaleSocketError(err) : err));
      req.end(opts.body);
    });
    // A kept-alive connection the other side closed while idle (its keep-alive timeout, a restart)
    // fails the request written on it before any answer: sent again on a fresh connection at once,
    // instead of a failed federation transaction and its back-off. Bounded by the pool's size.
    const attempt = (left: number): Promise<IncomingMessage> =>
      once().catch((err: unknown) => {
        if (err instanceof StaleSocketError) return left > 0 ? attempt(left - 1) : Promise.reject(err.cause);
        throw err;
      });
    return attempt(MAX_SOCKETS);
  }

  close(): void {
    this.httpsAgent?.destroy();
    this.http.destroy();
  }
}

/** An IP literal gets no SNI (RFC 6066); its certificate is then checked against the IP itself. */
function sniOf(target: OutboundTarget): string {
  const name = target.tlsServerName ?? target.connectHost;
  return isIP(name) === 0 ? name : "";
}

/** Reads a whole body, failing past `maxBytes` (the stream is destroyed then). */
export async function readLimited(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    res.destroy();
    throw new ResponseTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new ResponseTooLargeError(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export class ResponseTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
    this.name = "ResponseTooLargeError";
  }
}
