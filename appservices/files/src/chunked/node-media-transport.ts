// Node's media transport: fetchTransport() for everything but the PUT of a part, which goes over
// node:http(s), piped with backpressure. Node's fetch (undici) keeps every chunk of a streamed
// request body referenced until the answer comes: a 256 MiB part PUT grew the client's RSS by
// ≈ 260 MB (the whole part, still there after a full GC), the same PUT through node:http by
// ≈ 75 MB, faster; in the 4 GiB scenario (tests/harness/dossier-4gib.ts) the client's upload peak
// went from ≈ 366 MB to ≈ 134 MB. Browsers keep fetchTransport (they stream request bodies over
// HTTP/2 only; see bufferParts).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { fetchTransport, MediaHttpError, splitMxc, type FetchTransportOptions, type MediaTransport } from "./media-transport.ts";

export function nodeMediaTransport(o: Omit<FetchTransportOptions, "bufferParts">): MediaTransport {
  const base = o.baseUrl.replace(/\/+$/, "");
  return { ...fetchTransport(o), put: (mxc, body, length, signal) => put(base, o.accessToken, mxc, body, length, signal) };
}

async function put(base: string, token: string, mxc: string, body: ReadableStream<Uint8Array>, length: number, signal: AbortSignal | undefined): Promise<void> {
  const { server, id } = splitMxc(mxc);
  const url = new URL(`${base}/_matrix/media/v3/upload/${encodeURIComponent(server)}/${encodeURIComponent(id)}`);
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
    method: "PUT",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(length) },
    ...(signal ? { signal } : {}),
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  response.catch(() => undefined);
  // a failed pipeline destroys the request, so `response` rejects with the cause
  const sent = pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>, { highWaterMark: 1 }), req).catch((e: unknown) => e);
  const res = await response;
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    // the server may answer (409, 413, 403) before reading the body: its answer is the error
    const text = await readText(res).catch(() => "");
    req.destroy();
    throw new MediaHttpError(status, errcodeOf(text), `upload: HTTP ${status} ${text.slice(0, 200)}`);
  }
  const failed = await sent;
  res.resume();
  if (failed !== undefined) throw failed;
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > 64 * 1024) break;
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errcodeOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { errcode?: unknown };
    return typeof j.errcode === "string" ? j.errcode : undefined;
  } catch {
    return undefined;
  }
}
