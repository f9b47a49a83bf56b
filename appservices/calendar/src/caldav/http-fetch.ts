// A `fetch` for tsdav over node:http(s) instead of undici. Two reasons: Node 24's fetch trips an
// internal assertion (uncaught, `assert(!this.paused)`) reading a multi-megabyte body from a server
// that closes the connection (Radicale speaks HTTP/1.0), which would kill the bot; and here the
// body size is bounded while it streams, so a huge object cannot exhaust memory.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { CaldavError } from "./caldav-port.ts";

export interface HttpFetchOptions {
  /** largest response body accepted (bytes) */
  maxBytes?: number;
  timeoutMs?: number;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

function bodyOf(body: RequestInit["body"]): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  throw new CaldavError("http-fetch: only string and byte bodies are supported");
}

function toResponse(res: IncomingMessage, chunks: Buffer[]): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  const status = res.statusCode ?? 500;
  return new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? "", headers });
}

export function httpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 60_000;
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const headers = Object.fromEntries(new Headers(init?.headers ?? {}).entries());
      const body = bodyOf(init?.body);
      const req = send(url, { method: init?.method ?? "GET", headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) req.destroy(new CaldavError(`${url.pathname}: response larger than ${maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on("end", () => resolve(toResponse(res, chunks)));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new CaldavError(`${url.host}: no answer in ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
}
