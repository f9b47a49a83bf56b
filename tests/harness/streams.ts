// Streaming helpers for big-file tests: generate data without holding it, upload and download
// over node:http (fetch() would buffer a streamed request body), hash on the way.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { request } from "node:http";
import { Readable, Transform, Writable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

/** `total` random bytes, in 1 MiB chunks, generated as they are read. */
export function randomSource(total: number): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, 1 << 20);
      left -= n;
      this.push(randomBytes(n));
    },
  });
}

/** A pass-through that hashes what flows through it. */
export function hashing(hash: Hash = createHash("sha256")): Transform & { digest(): string } {
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      hash.update(chunk);
      cb(null, chunk);
    },
  }) as Transform & { digest(): string };
  let digest: string | undefined;
  t.digest = () => (digest ??= hash.digest("hex"));
  return t;
}

/** POST a stream to the upload endpoint; returns the mxc URI. */
export function uploadStream(base: string, token: string, body: Readable, contentType = "application/octet-stream"): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/_matrix/media/v3/upload?filename=piece.bin`);
    const req = request(url, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { content_uri?: string };
        if (res.statusCode !== 200 || !json.content_uri) reject(new Error(`upload: ${res.statusCode} ${JSON.stringify(json)}`));
        else resolve(json.content_uri);
      });
    });
    req.on("error", reject);
    body.on("error", reject);
    body.pipe(req);
  });
}

/** GET a URL with a token and pipe the body through `sinks` (e.g. hashing, deciphering). */
export function downloadStream(url: string, token: string, ...sinks: NodeJS.ReadWriteStream[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`download: ${res.statusCode}`));
        res.resume();
        return;
      }
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      pipeline(res, ...(sinks as [NodeJS.ReadWriteStream]), devNull()).then(() => resolve(bytes), reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function devNull(): Writable {
  return new Writable({ write: (_c: unknown, _e: unknown, cb: () => void) => cb() });
}
