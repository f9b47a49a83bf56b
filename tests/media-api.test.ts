// The media repository over real HTTP: upload, streamed download with ranges, async uploads,
// authentication, the legacy freeze, size limits and quotas, thumbnails, and a 300 MB round trip
// whose memory use must stay flat.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { startHomeserver, type RunningHomeserver } from "../homeserver/src/server/compose.ts";
import { testConfig, type ConfigOverrides } from "./harness/test-config.ts";
import { freshDatabase, postgresAvailable } from "./harness/postgres.ts";

interface Server {
  hs: RunningHomeserver;
  dir: string;
  url: string;
}

async function start(overrides: ConfigOverrides = {}): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "entente-media-"));
  const hs = await startHomeserver(testConfig(dir, overrides));
  return { hs, dir, url: hs.url };
}

/** A user with an access token, made through the stores (independent of the registration API). */
async function makeUser(s: Server, localpart: string): Promise<string> {
  const users = s.hs.context.stores.users;
  const userId = `@${localpart}:${s.hs.context.serverName}`;
  await users.createUser({ userId, passwordHash: undefined, ts: Date.now() });
  await users.upsertDevice(userId, "MEDIADEV", undefined);
  const token = `tok_${randomBytes(16).toString("hex")}`;
  await users.addAccessToken(token, userId, "MEDIADEV", Date.now());
  return token;
}

const auth = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

async function upload(s: Server, token: string, body: Uint8Array, contentType?: string, fileName?: string): Promise<Response> {
  const q = fileName === undefined ? "" : `?filename=${encodeURIComponent(fileName)}`;
  return fetch(`${s.url}/_matrix/media/v3/upload${q}`, {
    method: "POST", headers: { ...auth(token), ...(contentType ? { "Content-Type": contentType } : {}) }, body,
  });
}

async function uploadOk(s: Server, token: string, body: Uint8Array, contentType?: string, fileName?: string): Promise<{ server: string; id: string }> {
  const res = await upload(s, token, body, contentType, fileName);
  const json = (await res.json()) as { content_uri?: string };
  assert.equal(res.status, 200, JSON.stringify(json));
  const m = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]{24})$/.exec(json.content_uri ?? "");
  assert.ok(m, `bad content_uri ${json.content_uri}`);
  return { server: m[1]!, id: m[2]! };
}

async function errcode(res: Response): Promise<[number, unknown]> {
  const text = await res.text();
  try {
    return [res.status, (JSON.parse(text) as { errcode?: unknown }).errcode];
  } catch {
    return [res.status, text];
  }
}

const dl = (s: Server, id: string, rest = ""): string => `${s.url}/_matrix/client/v1/media/download/${s.hs.context.serverName}/${id}${rest}`;
const thumb = (s: Server, id: string, q: string): string => `${s.url}/_matrix/client/v1/media/thumbnail/${s.hs.context.serverName}/${id}?${q}`;

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

describe("media repository API", function () {
  this.timeout(120_000);
  let a: Server;
  let alice: string;
  let bob: string;

  before(async () => {
    a = await start({ media: { maxUploadBytes: 512 * 1024 * 1024 } });
    alice = await makeUser(a, "alice");
    bob = await makeUser(a, "bob");
  });
  after(async () => {
    await a?.hs.stop();
    if (a) rmSync(a.dir, { recursive: true, force: true });
  });

  it("advertises the upload limit", async () => {
    const res = await fetch(`${a.url}/_matrix/client/v1/media/config`, { headers: auth(alice) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { "m.upload.size": 512 * 1024 * 1024 });
  });

  it("uploads and downloads byte-identical content with safe headers", async () => {
    const bytes = randomBytes(100_000);
    const { server, id } = await uploadOk(a, alice, bytes, "text/plain", "compte rendu.txt");
    assert.equal(server, "test.local");
    const res = await fetch(dl(a, id), { headers: auth(bob) });
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes));
    assert.equal(res.headers.get("content-type"), "text/plain");
    assert.equal(res.headers.get("content-length"), "100000");
    assert.equal(res.headers.get("content-disposition"), 'inline; filename="compte rendu.txt"');
    assert.match(res.headers.get("content-security-policy") ?? "", /^sandbox; default-src 'none'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.match(res.headers.get("cache-control") ?? "", /private/);
    assert.equal(res.headers.get("etag"), `"${createHash("sha256").update(bytes).digest("hex")}"`);
  });

  it("serves unsafe types as attachments, and the file name of the path when given", async () => {
    const { id } = await uploadOk(a, alice, Buffer.from("<script>alert(1)</script>"), "text/html", "page.html");
    const res = await fetch(dl(a, id), { headers: auth(alice) });
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="page.html"');
    await res.arrayBuffer();
    const named = await fetch(dl(a, id, "/d%C3%A9lib%C3%A9ration.html"), { headers: auth(alice) });
    assert.equal(named.headers.get("content-disposition"), "attachment; filename*=utf-8''d%C3%A9lib%C3%A9ration.html");
    await named.arrayBuffer();
    const { id: anon } = await uploadOk(a, alice, Buffer.from("x"));
    const noName = await fetch(dl(a, anon), { headers: auth(alice) });
    assert.equal(noName.headers.get("content-type"), "application/octet-stream");
    assert.equal(noName.headers.get("content-disposition"), "attachment");
    await noName.arrayBuffer();
  });

  it("answers byte ranges with 206 and unsatisfiable ones with 416", async () => {
    const bytes = randomBytes(1000);
    const { id } = await uploadOk(a, alice, bytes, "application/pdf");
    const get = (range: string, extra: Record<string, string> = {}): Promise<Response> => fetch(dl(a, id), { headers: { ...auth(alice), Range: range, ...extra } });
    const cases: [string, number, number][] = [["bytes=10-19", 10, 19], ["bytes=990-", 990, 999], ["bytes=-5", 995, 999], ["bytes=900-5000", 900, 999]];
    for (const [range, start, end] of cases) {
      const res = await get(range);
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get("content-range"), `bytes ${start}-${end}/1000`);
      assert.equal(res.headers.get("content-length"), String(end - start + 1));
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1)), range);
    }
    const bad = await get("bytes=1000-");
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get("content-range"), "bytes */1000");
    await bad.arrayBuffer();
    const stale = await get("bytes=0-9", { "If-Range": '"not-the-etag"' });
    assert.equal(stale.status, 200);
    assert.equal((await stale.arrayBuffer()).byteLength, 1000);
  });

  it("requires an access token on every authenticated endpoint", async () => {
    const { id } = await uploadOk(a, alice, Buffer.from("secret"));
    const urls = [dl(a, id), dl(a, id, "/x.txt"), thumb(a, id, "width=32&height=32"), `${a.url}/_matrix/client/v1/media/config`,
      `${a.url}/_matrix/client/v1/media/preview_url?url=https://example.org`];
    for (const u of urls) {
      assert.deepEqual(await errcode(await fetch(u)), [401, "M_MISSING_TOKEN"], u);
      assert.deepEqual(await errcode(await fetch(u, { headers: auth("nope") })), [401, "M_UNKNOWN_TOKEN"], u);
    }
    assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v3/upload`, { method: "POST", body: "x" })), [401, "M_MISSING_TOKEN"]);
    assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v1/create`, { method: "POST", body: "{}" })), [401, "M_MISSING_TOKEN"]);
    assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v3/upload/test.local/${id}`, { method: "PUT", body: "x" })), [401, "M_MISSING_TOKEN"]);
    assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v3/config`, { headers: auth("nope") })), [401, "M_UNKNOWN_TOKEN"]);
  });

  it("keeps the legacy unauthenticated endpoints frozen (404) by default", async () => {
    const { id } = await uploadOk(a, alice, Buffer.from("frozen"));
    for (const path of [`download/test.local/${id}`, `download/test.local/${id}/f.txt`, `thumbnail/test.local/${id}?width=32&height=32`]) {
      assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v3/${path}`)), [404, "M_NOT_FOUND"], path);
      assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v3/${path}`, { headers: auth(alice) })), [404, "M_NOT_FOUND"], path);
    }
  });

  it("validates server names and media ids, and 404s unknown or remote media", async () => {
    const base = `${a.url}/_matrix/client/v1/media/download`;
    assert.deepEqual(await errcode(await fetch(`${base}/test.local/no_such_media_id_here_xx`, { headers: auth(alice) })), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await errcode(await fetch(`${base}/other.example/abcdefabcdefabcdefabcdef`, { headers: auth(alice) })), [404, "M_NOT_FOUND"]);
    assert.deepEqual(await errcode(await fetch(`${base}/test.local/a.b`, { headers: auth(alice) })), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await errcode(await fetch(`${base}/test.local/%2E%2E%2F%2E%2E%2Fetc`, { headers: auth(alice) })), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await errcode(await fetch(`${base}/bad_server!/abc`, { headers: auth(alice) })), [400, "M_INVALID_PARAM"]);
    assert.deepEqual(await errcode(await fetch(`${a.url}/_matrix/media/v3/upload?filename=a%0Ab`, { method: "POST", headers: auth(alice), body: "x" })), [400, "M_INVALID_PARAM"]);
  });

  it("refuses URL previews", async () => {
    const res = await fetch(`${a.url}/_matrix/client/v1/media/preview_url?url=http://127.0.0.1/`, { headers: auth(alice) });
    assert.deepEqual(await errcode(res), [403, "M_FORBIDDEN"]);
  });

  it("creates an mxc URI and accepts its content later, from its creator only, once", async () => {
    const before = Date.now();
    const res = await fetch(`${a.url}/_matrix/media/v1/create`, { method: "POST", headers: { ...auth(alice), "Content-Type": "application/json" }, body: "{}" });
    const created = (await res.json()) as { content_uri: string; unused_expires_at: number };
    assert.equal(res.status, 200);
    assert.ok(created.unused_expires_at >= before + 23 * 3600_000 && created.unused_expires_at <= Date.now() + 25 * 3600_000);
    const id = created.content_uri.split("/").pop()!;
    const put = (token: string, body: string, mediaId = id): Promise<Response> =>
      fetch(`${a.url}/_matrix/media/v3/upload/test.local/${mediaId}?filename=late.txt`, { method: "PUT", headers: { ...auth(token), "Content-Type": "text/plain" }, body });

    assert.deepEqual(await errcode(await fetch(dl(a, id, "?timeout_ms=0"), { headers: auth(alice) })), [504, "M_NOT_YET_UPLOADED"]);
    assert.deepEqual(await errcode(await put(bob, "not yours")), [403, "M_FORBIDDEN"]);
    assert.deepEqual(await errcode(await put(alice, "x", "no_such_media_id_here_xx")), [404, "M_NOT_FOUND"]);

    // a download waiting for the upload is answered as soon as it lands
    const waiting = fetch(dl(a, id, "?timeout_ms=15000"), { headers: auth(bob) });
    await new Promise((r) => setTimeout(r, 200));
    const done = await put(alice, "arrived late");
    assert.equal(done.status, 200);
    assert.deepEqual(await done.json(), {});
    const got = await waiting;
    assert.equal(got.status, 200);
    assert.equal(await got.text(), "arrived late");
    assert.equal(got.headers.get("content-disposition"), 'inline; filename="late.txt"');

    assert.deepEqual(await errcode(await put(alice, "again")), [409, "M_CANNOT_OVERWRITE_MEDIA"]);
  });

  describe("thumbnails", () => {
    let png: Buffer;
    let pngId: string;
    before(async () => {
      png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer();
      pngId = (await uploadOk(a, alice, png, "image/png", "photo.png")).id;
    });

    const thumbOf = async (id: string, q: string): Promise<{ res: Response; body: Buffer }> => {
      const res = await fetch(thumb(a, id, q), { headers: auth(bob) });
      return { res, body: Buffer.from(await res.arrayBuffer()) };
    };

    it("crops to the requested size", async () => {
      const { res, body } = await thumbOf(pngId, "width=96&height=96&method=crop");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.equal(res.headers.get("content-disposition"), 'inline; filename="thumbnail.png"');
      const m = await sharp(body).metadata();
      assert.deepEqual([m.format, m.width, m.height], ["png", 96, 96]);
      assert.ok(filesUnder(join(a.dir, "media", "thumbnails")).some((f) => f.endsWith("96x96-crop.png")), "thumbnail cached on disk");
    });

    it("scales keeping the aspect ratio, never below the requested size", async () => {
      const { res, body } = await thumbOf(pngId, "width=100&height=100&method=scale");
      assert.equal(res.status, 200);
      const m = await sharp(body).metadata();
      assert.deepEqual([m.width, m.height], [133, 100]);
    });

    it("returns the original when it is smaller than the request", async () => {
      const { res, body } = await thumbOf(pngId, "width=800&height=600");
      assert.equal(res.status, 200);
      assert.ok(body.equals(png));
    });

    it("keeps JPEG as JPEG and makes animated WebP only when asked", async () => {
      const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: "blue" } }).jpeg().toBuffer();
      const jpegId = (await uploadOk(a, alice, jpeg, "image/jpeg")).id;
      const j = await thumbOf(jpegId, "width=32&height=32&method=crop");
      assert.equal(j.res.headers.get("content-type"), "image/jpeg");
      assert.equal((await sharp(j.body).metadata()).width, 32);

      const frame = (c: string): Promise<Buffer> => sharp({ create: { width: 120, height: 80, channels: 3, background: c } }).png().toBuffer();
      const gif = await sharp([await frame("red"), await frame("green"), await frame("blue")], { join: { animated: true } }).gif({ loop: 0 }).toBuffer();
      const gifId = (await uploadOk(a, alice, gif, "image/gif")).id;
      const anim = await thumbOf(gifId, "width=32&height=32&method=crop&animated=true");
      assert.equal(anim.res.headers.get("content-type"), "image/webp");
      const am = await sharp(anim.body, { animated: true }).metadata();
      assert.deepEqual([am.pages, am.width, am.pageHeight], [3, 32, 32]);
      const still = await thumbOf(gifId, "width=32&height=32&method=crop&animated=false");
      assert.equal(still.res.headers.get("content-type"), "image/png");
      assert.equal((await sharp(still.body).metadata()).pages ?? 1, 1);
    });

    it("rejects bad parameters and content it cannot thumbnail", async () => {
      for (const q of ["width=0&height=32", "width=2001&height=32", "width=abc&height=32", "width=32&height=-1", "width=32&height=32&method=zoom", "width=32&height=32&animated=yes"]) {
        assert.deepEqual(await errcode(await fetch(thumb(a, pngId, q), { headers: auth(alice) })), [400, "M_INVALID_PARAM"], q);
      }
      assert.deepEqual(await errcode(await fetch(thumb(a, pngId, "width=32"), { headers: auth(alice) })), [400, "M_MISSING_PARAM"]);
      const { id: textId } = await uploadOk(a, alice, Buffer.from("not an image"), "text/plain");
      assert.equal((await fetch(thumb(a, textId, "width=32&height=32"), { headers: auth(alice) }).then(errcode))[0], 400);
      const { id: fakeId } = await uploadOk(a, alice, Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), "image/png");
      assert.equal((await fetch(thumb(a, fakeId, "width=32&height=32"), { headers: auth(alice) }).then(errcode))[0], 400);
      assert.deepEqual(await errcode(await fetch(thumb(a, "no_such_media_id_here_xx", "width=32&height=32"), { headers: auth(alice) })), [404, "M_NOT_FOUND"]);
    });
  });

  it("streams a 300 MB upload and download without holding it in memory", async function () {
    this.timeout(300_000);
    const MiB = 1024 * 1024;
    await roundTrip(a, alice, 32 * MiB); // warm-up: buffers pools and arenas reach their working size
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    try {
      const total = 300 * MiB;
      const { id, sent, received } = await roundTrip(a, alice, total);
      assert.equal(received, sent);
      // resuming near the end of the big file
      const tail = await fetch(dl(a, id), { headers: { ...auth(alice), Range: `bytes=${total - 64 * 1024}-` } });
      assert.equal(tail.status, 206);
      const tailBytes = Buffer.from(await tail.arrayBuffer());
      assert.equal(tailBytes.length, 64 * 1024);
      assert.equal(tailBytes.readUInt32BE(0), total / (64 * 1024) - 1);
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - rssBefore) / MiB;
    // Streaming keeps this at 16–40 MiB alone, up to ~70 MiB when other suites' garbage shares the
    // process (ArrayBuffers waiting for GC); buffering the file would grow it by 300+ MiB.
    assert.ok(growth < 120, `RSS grew by ${growth.toFixed(1)} MiB during a 300 MiB round trip`);
  });
});

/**
 * Uploads `total` generated bytes (64 KiB chunks, each numbered) with node:http and backpressure,
 * then downloads them; returns the sha256 of both sides. (fetch() with a ReadableStream body
 * keeps what it has not yet sent, which would measure the client, not the server.)
 */
async function roundTrip(s: Server, token: string, total: number): Promise<{ id: string; sent: string; received: string }> {
  const CHUNK = 64 * 1024;
  const req = httpRequest(`${s.url}/_matrix/media/v3/upload?filename=big.bin`, {
    method: "POST", headers: { ...auth(token), "Content-Type": "application/octet-stream" },
  });
  const response = once(req, "response") as Promise<[IncomingMessage]>;
  const sent = createHash("sha256");
  for (let i = 0; i < total / CHUNK; i++) {
    const chunk = Buffer.alloc(CHUNK, i & 0xff);
    chunk.writeUInt32BE(i, 0);
    sent.update(chunk);
    if (!req.write(chunk)) await once(req, "drain");
  }
  req.end();
  const [res] = await response;
  let text = "";
  for await (const c of res as AsyncIterable<Buffer>) text += c.toString();
  assert.equal(res.statusCode, 200, text);
  const id = ((JSON.parse(text) as { content_uri: string }).content_uri.split("/").pop())!;
  const got = await fetch(dl(s, id), { headers: auth(token) });
  assert.equal(got.headers.get("content-length"), String(total));
  const received = createHash("sha256");
  let n = 0;
  for await (const chunk of got.body as unknown as AsyncIterable<Uint8Array>) {
    received.update(chunk);
    n += chunk.length;
  }
  assert.equal(n, total);
  return { id, sent: sent.digest("hex"), received: received.digest("hex") };
}

for (const db of ["sqlite", "postgres"] as const) {
  describe(`media repository limits and legacy access (${db})`, function () {
    this.timeout(60_000);
    let b: Server | undefined;
    let carol: string;
    let dropDb = async (): Promise<void> => undefined;
    const MiB = 1024 * 1024;

    before(async function () {
      const media = { maxUploadBytes: MiB, userQuotaBytes: 1.5 * MiB, allowUnauthenticatedLegacy: true };
      if (db === "postgres") {
        if (!(await postgresAvailable())) {
          if (process.env["CI"] === "true") throw new Error("PostgreSQL is required under CI");
          this.skip();
        }
        const fresh = await freshDatabase();
        dropDb = fresh.drop;
        b = await start({ media, database: { type: "postgres", url: fresh.url } as NonNullable<ConfigOverrides["database"]> });
      } else {
        b = await start({ media });
      }
      carol = await makeUser(b, "carol");
    });
    after(async () => {
      await b?.hs.stop();
      await dropDb();
      if (b) rmSync(b.dir, { recursive: true, force: true });
    });

    const stored = (): string[] => [...filesUnder(join(b!.dir, "media", "local")), ...filesUnder(join(b!.dir, "media", "tmp"))];

    it("rejects an upload over the limit with 413 M_TOO_LARGE, declared or streamed, leaving no file", async () => {
      const before = stored();
      assert.deepEqual(await errcode(await upload(b!, carol, randomBytes(MiB + 1))), [413, "M_TOO_LARGE"]);
      // chunked: no Content-Length, so the limit is enforced while streaming
      let sentBytes = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sentBytes >= 3 * MiB) return controller.close();
          sentBytes += 64 * 1024;
          controller.enqueue(randomBytes(64 * 1024));
        },
      });
      const res = await fetch(`${b!.url}/_matrix/media/v3/upload`, { method: "POST", headers: auth(carol), body, duplex: "half" } as RequestInit);
      assert.deepEqual(await errcode(res), [413, "M_TOO_LARGE"]);
      assert.deepEqual(stored(), before);
    });

    it("enforces the per-user quota with 403 M_FORBIDDEN, on direct and async uploads", async () => {
      await uploadOk(b!, carol, randomBytes(MiB));
      assert.deepEqual(await errcode(await upload(b!, carol, randomBytes(0.75 * MiB))), [403, "M_FORBIDDEN"]);
      const created = await fetch(`${b!.url}/_matrix/media/v1/create`, { method: "POST", headers: auth(carol), body: "{}" });
      const id = ((await created.json()) as { content_uri: string }).content_uri.split("/").pop()!;
      const put = (n: number): Promise<Response> => fetch(`${b!.url}/_matrix/media/v3/upload/test.local/${id}`, { method: "PUT", headers: auth(carol), body: randomBytes(n) });
      assert.deepEqual(await errcode(await put(0.75 * MiB)), [403, "M_FORBIDDEN"]);
      // a refused PUT gives the id back: a smaller upload to the same id succeeds
      assert.equal((await put(0.25 * MiB)).status, 200);
      assert.equal((await fetch(dl(b!, id), { headers: auth(carol) }).then((r) => r.arrayBuffer())).byteLength, 0.25 * MiB);
    });

    it("serves the legacy endpoints without a token when configured to", async () => {
      const { id } = await uploadOk(b!, carol, Buffer.from("legacy"), "text/plain");
      const res = await fetch(`${b!.url}/_matrix/media/v3/download/test.local/${id}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "legacy");
      assert.match(res.headers.get("cache-control") ?? "", /public/);
      assert.deepEqual(await errcode(await fetch(`${b!.url}/_matrix/client/v1/media/download/test.local/${id}`)), [401, "M_MISSING_TOKEN"]);
    });
  });
}
