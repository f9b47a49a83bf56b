// Outbound server-server requests: discovery, allow/deny lists, SSRF guard, TLS, X-Matrix signing,
// timeouts, size limits, and errors as FederationError.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#request-authentication
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { FederationConfig } from "../../../config/config-types.ts";
import type { SigningKey } from "../../../room/signing.ts";
import { isValidServerName } from "../../../spec/ids.ts";
import type { Clock } from "../../clock.ts";
import type { Logger } from "../../log.ts";
import { ServerResolver } from "./discovery.ts";
import { FederationError } from "./federation-error.ts";
import { isFederationAllowed } from "./federation-policy.ts";
import { OutboundTransport, readLimited, ResponseTooLargeError, trustedCertificates, type OutboundTarget } from "./outbound-http.ts";
import { signRequest } from "./signed-request.ts";
import { ForbiddenAddressError, type AddressResolver } from "./ssrf-guard.ts";
import { httpsWellKnownFetcher } from "./well-known.ts";
import { MAX_FEDERATION_JSON_DEPTH, parseJsonBody } from "../../../spec/json-limits.ts";

export type FederationMethod = "GET" | "PUT" | "POST" | "DELETE";

export interface FederationRequestOptions<T = unknown> {
  /** Whole exchange, headers and body (default 30 s). */
  timeoutMs?: number;
  /** Largest accepted response body (default 32 MiB). */
  maxResponseBytes?: number;
  /** Sign with X-Matrix (default true); key endpoints need no authentication. */
  signed?: boolean;
  /** Checks and types the JSON answer; without it the answer is `unknown` and T is unchecked. */
  parse?: (json: unknown) => T;
}

export interface FederationStreamOptions {
  /** Until the response headers (default 30 s). */
  timeoutMs?: number;
  /** The stream is destroyed after this long without data (default 60 s). */
  idleTimeoutMs?: number;
}

/** A 2xx response whose body the caller reads (media downloads). */
export interface FederationStream {
  status: number;
  headers: IncomingHttpHeaders;
  stream: IncomingMessage;
}

export interface FederationClientDeps {
  serverName: string;
  signingKey: SigningKey;
  config: Pick<FederationConfig, "hostMap" | "allowList" | "denyList" | "extraCaPath" | "tlsVerify">;
  clock: Clock;
  log: Logger;
  /** Tests inject these; by default built from the config and the system DNS. */
  resolver?: ServerResolver;
  addressResolver?: AddressResolver;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE = 32 * 1024 * 1024;
const ERROR_BODY_MAX = 64 * 1024;

export class FederationClient {
  private readonly deps: FederationClientDeps;
  private readonly transport: OutboundTransport;
  readonly resolver: ServerResolver;

  constructor(deps: FederationClientDeps) {
    this.deps = deps;
    this.transport = new OutboundTransport({
      ca: trustedCertificates(deps.config.extraCaPath), rejectUnauthorized: deps.config.tlsVerify,
      ...(deps.addressResolver ? { resolver: deps.addressResolver } : {}),
    });
    this.resolver = deps.resolver ?? new ServerResolver({
      hostMap: deps.config.hostMap, fetchWellKnown: httpsWellKnownFetcher(this.transport), clock: deps.clock,
    });
  }

  /**
   * Sends a JSON request to `destination` (a server name) and returns the parsed JSON answer.
   * `path` is the full path with its query, e.g. `/_matrix/federation/v1/query/profile?user_id=...`
   * (already percent-encoded). Throws FederationError.
   */
  async request<T = unknown>(
    destination: string, method: FederationMethod, path: string, body?: unknown, opts: FederationRequestOptions<T> = {},
  ): Promise<T> {
    const started = this.deps.clock.now();
    const { res, done } = await this.exchange(destination, method, path, body, opts.signed ?? true, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      const status = res.statusCode ?? 0;
      this.deps.log.debug("federation request", { destination, method, path: path.split("?")[0], status, ms: this.deps.clock.now() - started });
      if (status < 200 || status >= 300) throw await httpError(destination, res);
      const json = parseJson(destination, await this.read(destination, res, opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE));
      return opts.parse ? parseWith(destination, opts.parse, json) : (json as T);
    } catch (err: unknown) {
      throw this.toFederationError(destination, err, done.signal);
    } finally {
      done.finish();
    }
  }

  /** GETs `path` and hands back the open 2xx response (media); non-2xx answers throw FederationError. */
  async getStream(destination: string, path: string, opts: FederationStreamOptions = {}): Promise<FederationStream> {
    const { res, done } = await this.exchange(destination, "GET", path, undefined, true, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    done.finish();
    res.setTimeout(opts.idleTimeoutMs ?? 60_000, () => res.destroy(new Error(`${destination}: download stalled`)));
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw await httpError(destination, res).catch((e: unknown) => this.toFederationError(destination, e));
    return { status, headers: res.headers, stream: res };
  }

  close(): void {
    this.transport.close();
  }

  /** Policy, discovery, signing and sending, up to the response headers. `done.finish()` stops the timer. */
  private async exchange(
    destination: string, method: FederationMethod, path: string, body: unknown, signed: boolean, timeoutMs: number,
  ): Promise<{ res: IncomingMessage; done: Deadline }> {
    if (!isValidServerName(destination)) {
      throw new FederationError(destination, "refused", `${JSON.stringify(destination)} is not a server name`);
    }
    if (!isFederationAllowed(destination, this.deps.config)) {
      throw new FederationError(destination, "refused", `Federation with ${destination} is not allowed`);
    }
    const done = deadline(timeoutMs);
    try {
      const target: OutboundTarget = await this.resolver.resolve(destination);
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
      const headers: Record<string, string> = { Accept: "application/json" };
      if (payload) headers["Content-Type"] = "application/json";
      if (signed) {
        const request = { method, uri: path, origin: this.deps.serverName, destination, content: body };
        headers["Authorization"] = signRequest(request, this.deps.signingKey);
      }
      const res = await this.transport.send(target, { method, path, headers, body: payload, signal: done.signal });
      return { res, done };
    } catch (err: unknown) {
      done.finish();
      throw this.toFederationError(destination, err, done.signal);
    }
  }

  private async read(destination: string, res: IncomingMessage, maxBytes: number): Promise<Buffer> {
    try {
      return await readLimited(res, maxBytes);
    } catch (err: unknown) {
      if (err instanceof ResponseTooLargeError) throw new FederationError(destination, "invalid-response", err.message);
      throw err;
    }
  }

  private toFederationError(destination: string, err: unknown, signal?: AbortSignal): FederationError {
    if (err instanceof FederationError) return err;
    if (signal?.aborted) return new FederationError(destination, "timeout", `${destination}: request timed out`, { cause: err });
    const forbidden = err instanceof ForbiddenAddressError || (err instanceof Error && err.cause instanceof ForbiddenAddressError);
    const message = err instanceof Error ? err.message : String(err);
    return new FederationError(destination, forbidden ? "refused" : "network", `${destination}: ${message}`, { cause: err });
  }
}

interface Deadline {
  signal: AbortSignal;
  finish(): void;
}

function deadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${ms} ms`)), ms);
  return { signal: controller.signal, finish: () => clearTimeout(timer) };
}

function parseJson(destination: string, body: Buffer): unknown {
  try {
    // same limits as inbound bodies: strict UTF-8, nesting capped before anything recurses on it
    return parseJsonBody(body, MAX_FEDERATION_JSON_DEPTH);
  } catch (err: unknown) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FederationError(destination, "invalid-response", `${destination}: response is not acceptable JSON: ${why}`);
  }
}

function parseWith<T>(destination: string, parse: (json: unknown) => T, json: unknown): T {
  try {
    return parse(json);
  } catch (err: unknown) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FederationError(destination, "invalid-response", `${destination}: unexpected response: ${why}`, { cause: err });
  }
}

/** A non-2xx answer as FederationError, with the Matrix errcode and message when the body has them. */
async function httpError(destination: string, res: IncomingMessage): Promise<FederationError> {
  const status = res.statusCode ?? 0;
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse((await readLimited(res, ERROR_BODY_MAX)).toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    res.destroy();
  }
  const errcode = typeof json["errcode"] === "string" ? json["errcode"] : undefined;
  const error = typeof json["error"] === "string" ? json["error"] : `HTTP ${status}`;
  const retry = json["retry_after_ms"];
  return new FederationError(destination, "http", error, {
    status, ...(errcode === undefined ? {} : { errcode }), ...(typeof retry === "number" ? { retryAfterMs: retry } : {}),
  });
}
