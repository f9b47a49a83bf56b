import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { MatrixError } from "../../spec/matrix-error.ts";
import { createLogger } from "../log.ts";
import { MediaFiles } from "../media/media-files.ts";
import { mediaEnvelope } from "./multipart-mixed.ts";
import { RemoteMedia, authenticatedMediaUnsupported, dispositionFileName, remoteMediaKey } from "./remote-media.ts";
import { FederationError } from "./transport/federation-error.ts";
import type { FederationStream } from "./transport/federation-client.ts";
import type { UrlFetch } from "./media-redirect.ts";
import { readToEnd } from "../media/test-streams.ts";

type Answer = { headers: Record<string, string>; body: Buffer | Readable } | FederationError;

/** A stream the test feeds by hand (an origin that sends, pauses, fails). */
function handStream(): { stream: Readable; push(b: Buffer): void; end(): void; fail(e: Error): void } {
  const stream = new Readable({ read: () => undefined });
  return { stream, push: (b) => void stream.push(b), end: () => void stream.push(null), fail: (e) => void stream.destroy(e) };
}

function streamOf(body: Buffer): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < body.length; i += 4096) yield body.subarray(i, i + 4096);
  })());
}

function multipart(file: Buffer, fileHeaders = "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n"): { headers: Record<string, string>; body: Buffer } {
  const b = "BoUnDaRy";
  const body = Buffer.concat([Buffer.from(`--${b}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${b}\r\n${fileHeaders}\r\n`), file, Buffer.from(`\r\n--${b}--\r\n`)]);
  return { headers: { "content-type": `multipart/mixed; boundary=${b}` }, body };
}

describe("RemoteMedia", () => {
  let root: string;
  let calls: string[];
  let answers: Answer[];
  let urlCalls: string[];
  let urlAnswer: { headers: Record<string, string>; body: Buffer };
  const make = (maxBytes = 1024 * 1024): RemoteMedia => new RemoteMedia({
    client: {
      async getStream(dest: string, path: string): Promise<FederationStream> {
        calls.push(`${dest} ${path}`);
        const a = answers.shift();
        if (!a) throw new Error("unexpected request");
        if (a instanceof FederationError) throw a;
        return { status: 200, headers: a.headers, stream: Buffer.isBuffer(a.body) ? streamOf(a.body) : a.body } as unknown as FederationStream;
      },
    },
    files: new MediaFiles({ root }), root, maxBytes,
    fetchUrl: (async (url: string) => {
      urlCalls.push(url);
      return { headers: urlAnswer.headers, stream: streamOf(urlAnswer.body) };
    }) as unknown as UrlFetch,
    clock: { now: () => 1000 }, log: createLogger("error"),
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "remote-media-"));
    calls = [];
    answers = [];
    urlCalls = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("fetches the multipart answer once, caches it on disk, then serves the cache", async () => {
    const file = randomBytes(200_000);
    answers.push(multipart(file));
    const got = await make().fetch("b.test", "abcDEF", 5000);
    assert.deepEqual(calls, ["b.test /_matrix/federation/v1/media/download/abcDEF?timeout_ms=5000"]);
    assert.ok(got);
    assert.ok(readFileSync(got.path).equals(file));
    assert.equal(got.sha256, createHash("sha256").update(file).digest("hex"));
    assert.equal(got.contentType, "text/plain");
    assert.equal(got.uploadName, "notes.txt");
    assert.equal(got.mediaId, remoteMediaKey("b.test", "abcDEF"));
    // a new instance (a restart, another process) finds it on disk: no second request
    const again = await make().fetch("b.test", "abcDEF", 5000);
    assert.equal(calls.length, 1);
    assert.deepEqual(again, got);
  });

  it("shares one download between concurrent requests", async () => {
    answers.push(multipart(randomBytes(50_000)));
    const rm = make();
    const [a, b] = await Promise.all([rm.fetch("b.test", "same", 5000), rm.fetch("b.test", "same", 5000)]);
    assert.equal(calls.length, 1);
    assert.equal(a?.path, b?.path);
  });

  it("serves the first bytes while the origin is still sending, then caches the whole file", async () => {
    const b = "BoUnDaRy";
    const file = randomBytes(3 * 1024 * 1024);
    const origin = handStream();
    answers.push({ headers: { "content-type": `multipart/mixed; boundary=${b}` }, body: origin.stream });
    origin.push(Buffer.from(`--${b}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${b}\r\nContent-Type: application/pdf\r\nContent-Length: ${file.length}\r\n\r\n`));
    origin.push(file.subarray(0, 100_000));
    const rm = make(8 * 1024 * 1024);
    const live = await rm.open("b.test", "slow", 5000);
    assert.ok(live && "kind" in live, "a live fetch, not a cached file");
    assert.equal(live.size, file.length, "the part's Content-Length");
    const reader = live.read(0, live.size);
    await once(reader, "readable");
    const first = reader.read() as Buffer;
    assert.ok(first.length > 0 && file.subarray(0, first.length).equals(first), "bytes before the origin sent the rest");
    // a second request shares the fetch and reads a range
    const again = await rm.open("b.test", "slow", 5000);
    assert.ok(again && "kind" in again);
    const ranged = readToEnd(again.read(2_000_000, 2_000_010));
    origin.push(file.subarray(100_000));
    origin.push(Buffer.from(`\r\n--${b}--\r\n`));
    origin.end();
    const rest = await readToEnd(reader);
    assert.ok(Buffer.concat([first, rest.bytes]).equals(file));
    assert.ok((await ranged).bytes.equals(file.subarray(2_000_000, 2_000_010)));
    const stored = await live.done;
    assert.ok(readFileSync(stored.path).equals(file));
    assert.equal(calls.length, 1);
    const cached = await make().open("b.test", "slow", 5000);
    assert.ok(cached && !("kind" in cached), "later requests are served from the cache");
  });

  it("a fetch cut mid-file errors its readers and leaves nothing in the cache", async () => {
    const b = "BoUnDaRy";
    const origin = handStream();
    answers.push({ headers: { "content-type": `multipart/mixed; boundary=${b}` }, body: origin.stream });
    origin.push(Buffer.from(`--${b}\r\n\r\n{}\r\n--${b}\r\nContent-Length: 500000\r\n\r\n`));
    origin.push(randomBytes(200_000));
    const rm = make();
    const live = await rm.open("b.test", "cut", 5000);
    assert.ok(live && "kind" in live);
    const got = readToEnd(live.read(0, 500_000));
    origin.fail(new Error("connection reset"));
    const r = await got;
    assert.ok(r.error, "the reader sees the failure");
    assert.ok(r.bytes.length <= 200_000);
    // a request arriving as soon as the fetch failed starts a new one (no bad entry stands in)
    answers.push(multipart(Buffer.from("whole")));
    const next = rm.fetch("b.test", "cut", 5000);
    await assert.rejects(live.done, (e: unknown) => e instanceof MatrixError && e.status === 502);
    assert.equal(readFileSync((await next)!.path, "utf8"), "whole");
    assert.equal(calls.length, 2);
    assert.deepEqual(readdirSync(join(root, "tmp")), [], "the partial file is removed");
  });

  it("fails a fetch whose body is not the announced size", async () => {
    answers.push(multipart(randomBytes(1000), "Content-Type: text/plain\r\nContent-Length: 1001\r\n"));
    await assert.rejects(make().fetch("b.test", "short", 5000), (e: unknown) => e instanceof MatrixError && e.status === 502);
    answers.push(multipart(randomBytes(1000), "Content-Type: text/plain\r\nContent-Length: 5000\r\n"));
    await assert.rejects(make(4096).fetch("b.test", "big", 5000), (e: unknown) => e instanceof MatrixError && e.errcode === "M_TOO_LARGE");
  });

  it("follows the Location form without caching the URL", async () => {
    const file = randomBytes(10_000);
    answers.push(multipart(Buffer.alloc(0), "Location: https://cdn.b.test/x?sig=1\r\n"));
    urlAnswer = { headers: { "content-type": "image/png", "content-disposition": "inline; filename*=utf-8''caf%C3%A9.png" }, body: file };
    const got = await make().fetch("b.test", "loc", 5000);
    assert.deepEqual(urlCalls, ["https://cdn.b.test/x?sig=1"]);
    assert.ok(readFileSync(got!.path).equals(file));
    assert.equal(got?.contentType, "image/png");
    assert.equal(got?.uploadName, "café.png");
  });

  it("falls back to the deprecated endpoint (allow_remote=false) only on 404 M_UNRECOGNIZED", async () => {
    answers.push(new FederationError("b.test", "http", "unrecognized", { status: 404, errcode: "M_UNRECOGNIZED" }));
    answers.push({ headers: { "content-type": "application/pdf" }, body: Buffer.from("%PDF") });
    const got = await make().fetch("b.test", "old", 5000);
    assert.equal(calls[1], "b.test /_matrix/media/v3/download/b.test/old?allow_remote=false&timeout_ms=5000");
    assert.equal(readFileSync(got!.path, "utf8"), "%PDF");
    answers.push(new FederationError("b.test", "http", "not found", { status: 404, errcode: "M_NOT_FOUND" }));
    assert.equal(await make().fetch("b.test", "missing", 5000), undefined);
    assert.equal(calls.length, 3);
  });

  it("treats 400 M_UNRECOGNIZED (older Synapse) and 405 as 'no authenticated media' too, nothing else", () => {
    const http = (status: number, errcode?: string): FederationError => new FederationError("b.test", "http", "x", { status, ...(errcode ? { errcode } : {}) });
    assert.equal(authenticatedMediaUnsupported(http(404, "M_UNRECOGNIZED")), true);
    assert.equal(authenticatedMediaUnsupported(http(400, "M_UNRECOGNIZED")), true);
    assert.equal(authenticatedMediaUnsupported(http(405)), true);
    assert.equal(authenticatedMediaUnsupported(http(404, "M_NOT_FOUND")), false);
    assert.equal(authenticatedMediaUnsupported(http(400, "M_BAD_JSON")), false);
    assert.equal(authenticatedMediaUnsupported(http(500, "M_UNRECOGNIZED")), false);
    assert.equal(authenticatedMediaUnsupported(new FederationError("b.test", "network", "down")), false);
  });

  it("refuses files over the limit with 502 M_TOO_LARGE and caches nothing", async () => {
    answers.push(multipart(randomBytes(5000)));
    await assert.rejects(make(4096).fetch("b.test", "big", 5000), (e: unknown) => e instanceof MatrixError && e.status === 502 && e.errcode === "M_TOO_LARGE");
    answers.push({ ...multipart(randomBytes(10)), headers: { ...multipart(Buffer.alloc(0)).headers, "content-length": String(10 * 1024 * 1024) } });
    await assert.rejects(make(4096).fetch("b.test", "big", 5000), (e: unknown) => e instanceof MatrixError && e.errcode === "M_TOO_LARGE");
    assert.equal(calls.length, 2);
  });

  it("does not cache a truncated answer; unreachable servers are 502", async () => {
    const whole = multipart(randomBytes(20_000));
    answers.push({ headers: whole.headers, body: whole.body.subarray(0, whole.body.length - 40) });
    await assert.rejects(make().fetch("b.test", "cut", 5000), (e: unknown) => e instanceof MatrixError && e.status === 502);
    answers.push(new FederationError("b.test", "network", "ECONNREFUSED"));
    await assert.rejects(make().fetch("b.test", "cut", 5000), (e: unknown) => e instanceof MatrixError && e.status === 502);
    answers.push(multipart(Buffer.from("ok")));
    assert.equal(readFileSync((await make().fetch("b.test", "cut", 5000))!.path, "utf8"), "ok");
  });

  it("our own envelope round-trips through the fetcher", async () => {
    const env = mediaEnvelope({ contentType: "video/mp4", contentDisposition: "inline" });
    const file = randomBytes(70_000);
    answers.push({ headers: { "content-type": env.contentType }, body: Buffer.concat([env.head, file, env.tail]) });
    const got = await make().fetch("b.test", "vid", 5000);
    assert.ok(readFileSync(got!.path).equals(file));
    assert.equal(got?.contentType, "video/mp4");
  });

  it("reads Content-Disposition file names safely", () => {
    assert.equal(dispositionFileName('attachment; filename="a \\"b\\".txt"'), 'a "b".txt');
    assert.equal(dispositionFileName("inline; filename=plain.txt"), "plain.txt");
    assert.equal(dispositionFileName("inline; filename=x; filename*=utf-8''%E2%82%AC.txt"), "€.txt");
    assert.equal(dispositionFileName('attachment; filename="../../etc/passwd"'), undefined);
    assert.equal(dispositionFileName("inline"), undefined);
  });
});
