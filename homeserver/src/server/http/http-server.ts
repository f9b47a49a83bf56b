// The HTTP surface: body limits, JSON parsing, CORS, request ids, error mapping in one place.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { randomBytes } from "node:crypto";
import { MatrixError } from "../../spec/matrix-error.ts";
import { MAX_FEDERATION_JSON_DEPTH, MAX_JSON_DEPTH, parseJsonBody } from "../../spec/json-limits.ts";
import type { Logger } from "../log.ts";
import type { Router, HandlerResult } from "./router.ts";
import type { RequestContext } from "./request-context.ts";
import { DEFAULT_CONNECTION_OPTIONS, guardConnections, timeoutServerOptions, type ConnectionOptions } from "./connection-guard.ts";
import { parseRequestTarget, type RequestTarget } from "./request-target.ts";

export interface HttpOptions {
  router: Router;
  log: Logger;
  /** Max JSON body in bytes (media uploads are streamed and limited elsewhere). */
  maxJsonBody: number;
  /** Take the client address from X-Forwarded-For (the last hop the proxy added). */
  trustForwardedFor?: boolean;
  /** PEM certificate chain and key: serve HTTPS (the federation listener) instead of HTTP. */
  tls?: { cert: string; key: string };
  /** Connection caps and timeouts (config.connections); defaults when absent. */
  connections?: ConnectionOptions;
  /** Names the listener in logs ("client", "federation"). */
  name?: string;
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  // Range: a web client resumes a cut media download from the byte where it stopped (Content-Range
  // tells it where the answer starts; a cross-origin page only reads headers listed here).
  "Access-Control-Allow-Headers": "X-Requested-With, Content-Type, Authorization, Date, Range",
  "Access-Control-Expose-Headers": "Content-Range, Content-Disposition",
};

const inFlight = new WeakMap<Server, Set<Promise<void>>>();

/** Request ids for the logs: unique per process (a random prefix) without a CSPRNG call per request. */
const ID_PREFIX = randomBytes(3).toString("hex");
let nextRequestId = 0;
const newRequestId = (): string => ID_PREFIX + (nextRequestId++ % 0x1000000).toString(16).padStart(6, "0");

/** Resolves once every request being handled has finished (call after server.close()). */
export async function drainRequests(server: Server): Promise<void> {
  const set = inFlight.get(server);
  while (set && set.size > 0) await Promise.allSettled([...set]);
}

export function createHttpServer(opts: HttpOptions): Server {
  const pending = new Set<Promise<void>>();
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const p: Promise<void> = handle(opts, req, res).finally(() => pending.delete(p));
    pending.add(p);
  };
  const conn = opts.connections ?? DEFAULT_CONNECTION_OPTIONS;
  const timeouts = timeoutServerOptions(conn);
  const server = opts.tls
    // a client that never finishes the TLS handshake is held no longer than one that never sends headers
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, handshakeTimeout: conn.headersTimeoutMs, ...timeouts }, listener)
    : createServer(timeouts, listener);
  guardConnections(server, conn, opts.log, opts.name ?? "http");
  inFlight.set(server, pending);
  return server;
}

async function handle(opts: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const started = performance.now();
  const method = req.method ?? "GET";
  const log = opts.log.child({ request_id: requestId });
  let status = 500;
  let path: string | undefined;
  try {
    if (method === "OPTIONS") {
      status = 204;
      res.writeHead(204, CORS).end();
      return;
    }
    // inside the try: a target the URL parser refuses ("//", "/\\") is a 400, not a rejection
    // nobody handles (which ended the process)
    const url = requestTarget(req.url ?? "/");
    path = url.pathname;
    const match = opts.router.match(method, url.pathname);
    const body = match.rawBody ? undefined : await readJson(req, opts.maxJsonBody, method);
    const ctx: RequestContext = {
      requestId, method, path: url.pathname, params: match.params, query: url.searchParams, body, req,
      ip: clientAddress(req, opts.trustForwardedFor ?? false), log, accessToken: tokenOf(req, url),
    };
    const result = await match.handler(ctx);
    status = result.status ?? 200;
    send(res, status, result);
  } catch (err) {
    const e = toMatrixError(err, log);
    status = e.status;
    if (!res.headersSent) {
      const headers: Record<string, string> = { ...CORS, "Content-Type": "application/json" };
      if (e.errcode === "M_LIMIT_EXCEEDED" && typeof e.extra["retry_after_ms"] === "number") {
        headers["Retry-After"] = String(Math.ceil(e.extra["retry_after_ms"] / 1000));
      }
      // a body cut short over the limit: this connection carries no further request
      if (closesConnection.has(e)) headers["Connection"] = "close";
      endWithBody(res, e.status, headers, JSON.stringify(e.toJSON()));
    } else {
      res.destroy();
    }
  } finally {
    log.debug("request", { method, path: path ?? withoutQuery(req.url ?? "/"), status, ms: Math.round(performance.now() - started) });
  }
}

function send(res: ServerResponse, status: number, result: HandlerResult): void {
  if ("json" in result) {
    endWithBody(res, status, { ...CORS, "Content-Type": "application/json" }, JSON.stringify(result.json));
  } else if ("raw" in result) {
    endWithBody(res, status, { ...CORS, ...result.headers }, result.raw);
  } else {
    res.writeHead(status, { ...CORS, ...result.headers });
    result.stream.on("error", () => res.destroy());
    result.stream.pipe(res);
  }
}

/**
 * A body known in full: headers with its Content-Length and the body in one socket write. Without
 * the length, `writeHead` with headers builds the header block at once and Node answers chunked
 * (the length line and the closing "0" chunk around the body: more bytes, and chunk parsing in
 * every client). 204 and 304 carry no body nor length.
 */
function endWithBody(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array): void {
  if (status === 204 || status === 304) {
    res.writeHead(status, headers).end();
    return;
  }
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  res.writeHead(status, { ...headers, "Content-Length": String(length) }).end(body);
}

export function toMatrixError(err: unknown, log: Logger): MatrixError {
  if (err instanceof MatrixError) return err;
  log.error("unhandled error", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return new MatrixError("M_UNKNOWN", 500, "Internal server error");
}

function clientAddress(req: IncomingMessage, trustForwardedFor: boolean): string {
  const direct = req.socket.remoteAddress ?? "";
  const header = req.headers["x-forwarded-for"];
  if (!trustForwardedFor || typeof header !== "string") return direct;
  // the proxy appends the address it saw: the last entry is the one we can trust
  const last = header.split(",").map((x) => x.trim()).filter(Boolean).at(-1);
  return last ?? direct;
}

/** The target before its query (which may hold an access token): for the log. */
function withoutQuery(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? target : target.slice(0, q);
}

/** The request's path and query; a target the URL parser refuses is the client's error. */
function requestTarget(target: string): RequestTarget {
  try {
    return parseRequestTarget(target);
  } catch {
    throw new MatrixError("M_UNRECOGNIZED", 400, "Invalid request target");
  }
}

function tokenOf(req: IncomingMessage, url: RequestTarget): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith("Bearer ")) return h.slice(7).trim();
  return url.searchParams.get("access_token") ?? undefined;
}

async function readJson(req: IncomingMessage, limit: number, method: string): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    // unread: answered with Connection: close (Node would otherwise read and drop all of it to keep the connection)
    const tooLarge = new MatrixError("M_TOO_LARGE", 413, `Request body exceeds ${limit} bytes`);
    closesConnection.add(tooLarge);
    throw tooLarge;
  }
  // no Content-Length and no Transfer-Encoding: no body (RFC 9112 §6.3); a /sync long-poll then
  // costs no stream iteration
  const noBody = declared === 0 && req.headers["transfer-encoding"] === undefined;
  if (noBody) return method === "GET" || method === "DELETE" ? undefined : {};
  const body = await readBody(req, limit);
  if (body.length === 0) {
    return method === "GET" || method === "DELETE" ? undefined : {};
  }
  // strict UTF-8 and a nesting cap (spec/json-limits.ts); federation bodies wrap client content deeper
  const federation = (req.url ?? "").startsWith("/_matrix/federation/");
  return parseJsonBody(body, federation ? MAX_FEDERATION_JSON_DEPTH : MAX_JSON_DEPTH);
}

/** Errors after which the connection is closed (a body left unread). */
const closesConnection = new WeakSet<MatrixError>();

/** What is read and thrown away of a body over the limit, so its client can read the 413 (then the connection is cut). */
const DISCARD_AFTER_LIMIT_BYTES = 1024 * 1024;

/**
 * The request's body, at most `limit` bytes. Listeners rather than `for await`: the stream's async
 * iterator costs several promise turns per request (1-2 % of the send path's CPU in the probe's
 * profile). Over the limit it rejects with M_TOO_LARGE (answered with `Connection: close`) and
 * reads on, discarding, up to DISCARD_AFTER_LIMIT_BYTES more: a connection cut while the client is
 * still writing is reset, and the client sees a broken socket instead of the 413. Past that, or
 * when the body never ends, the connection is destroyed.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        chunks.length = 0;
        discardRest(req);
        const tooLarge = new MatrixError("M_TOO_LARGE", 413, `Request body exceeds ${limit} bytes`);
        closesConnection.add(tooLarge);
        reject(tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    // closed before its end: the client went away mid-body
    const onClose = (): void => onError(new Error("request closed before its body ended"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** After a body over the limit: drains up to DISCARD_AFTER_LIMIT_BYTES more, then cuts the connection. */
function discardRest(req: IncomingMessage): void {
  let extra = 0;
  const cut = (): void => {
    req.off("data", onData);
    req.destroy();
  };
  const onData = (chunk: Buffer): void => {
    extra += chunk.length;
    if (extra > DISCARD_AFTER_LIMIT_BYTES) cut();
  };
  req.on("data", onData);
  req.on("error", () => undefined);
  // also ends a drain the client never finishes (the response is sent by then)
  const timer = setTimeout(cut, 10_000);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
}
