// Issue 15: a file of council A downloaded by an agent of council B reaches the agent as it
// arrives from A; B does not wait for the whole file. Two real homeservers federate over TLS
// through a TCP relay the test controls (tests/harness/tcp-gate.ts), so A can be held or cut
// mid-file. Checked: the first bytes (and a Range request) are served while A is held; a cut of
// A mid-file gives the agent a short body, leaves no entry in B's cache, and the agent's Range
// resume gets the rest from a new fetch; the complete file is then cached and served with its ETag.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { remoteMediaKey } from "../../homeserver/src/server/federation/remote-media-cache.ts";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { startTcpGate, type TcpGate } from "../harness/tcp-gate.ts";

const SIZE = 16 * 1024 * 1024;
const MiB = 1024 * 1024;

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** Fails with `what` unless `p` settles within `ms` (a deadline, not a sleep). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Reads a response body until `atLeast` bytes (or its end); the reader stays usable. */
async function readAtLeast(reader: ReadableStreamDefaultReader<Uint8Array>, atLeast: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  while (n < atLeast) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    n += value.length;
  }
  return Buffer.concat(chunks);
}

/** The rest of a body, and the error that ended it if it did not end cleanly. */
async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), error: undefined };
      chunks.push(Buffer.from(value));
    }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

describe("remote media streams through the agent's homeserver", function () {
  this.timeout(180_000);
  let fed: TestFederation;
  let gate: TcpGate;
  let a: string;
  let b: string;
  let alice: { accessToken: string };
  let bob: { accessToken: string };
  let cacheRoot: string;

  before(async () => {
    gate = await startTcpGate();
    fed = await startFederation(["a.test", "b.test"], {
      configure(name, c) {
        if (name !== "b.test") return;
        // B reaches A's federation listener through the gate
        const direct = c.federation.hostMap.get("a.test");
        if (!direct) throw new Error("no host_map entry for a.test");
        gate.upstreamPort = direct.port;
        c.federation.hostMap = new Map([...c.federation.hostMap, ["a.test", { ...direct, port: gate.port }]]);
      },
    });
    a = fed.get("a.test").url;
    b = fed.get("b.test").url;
    cacheRoot = fed.get("b.test").config.media.path;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
  });
  after(async () => {
    gate?.release();
    await fed?.stop();
    await gate?.close();
  });

  const upload = async (bytes: Buffer): Promise<string> => {
    const res = await fetch(`${a}/_matrix/media/v3/upload?filename=etude.bin`, {
      method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/octet-stream" }, body: bytes,
    });
    const j = (await res.json()) as { content_uri?: string };
    assert.equal(res.status, 200, JSON.stringify(j));
    const id = /^mxc:\/\/a\.test\/(.+)$/.exec(j.content_uri ?? "")?.[1];
    assert.ok(id);
    return id;
  };
  const download = (id: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${b}/_matrix/client/v1/media/download/a.test/${id}`, { headers: { Authorization: `Bearer ${bob.accessToken}`, ...headers } });
  const cachePath = (id: string): string => {
    const key = remoteMediaKey("a.test", id);
    return join(cacheRoot, "remote", key.slice(1, 3), key.slice(3, 5), key);
  };

  it("serves A's first bytes while A is still sending, and Range requests too", async () => {
    const file = randomBytes(SIZE);
    const id = await upload(file);
    const held = gate.holdAfter(4 * MiB);
    const res = await within(download(id), 30_000, "B answered nothing while A was held mid-file");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), String(SIZE), "the size announced by A's multipart part");
    const reader = res.body!.getReader();
    const first = await within(readAtLeast(reader, MiB), 30_000, "the first MiB while A was held");
    await held;
    assert.ok(gate.holding, "A is held: it has not sent the whole file");
    assert.ok(gate.relayed < SIZE, `A sent ${gate.relayed} of ${SIZE} bytes`);
    assert.ok(file.subarray(0, first.length).equals(first));
    // a second agent request shares the fetch: a range from the bytes already in
    const ranged = await within(download(id, { Range: "bytes=1000-1999" }), 30_000, "a Range request while A was held");
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-range"), `bytes 1000-1999/${SIZE}`);
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(file.subarray(1000, 2000)));
    gate.release();
    const rest = await readRest(reader);
    assert.equal(rest.error, undefined);
    assert.equal(sha(Buffer.concat([first, rest.bytes])), sha(file));
    // the whole file is now in B's cache and served from it, with its validator
    await waitFor("the cache entry", () => (existsSync(`${cachePath(id)}.json`) ? true : undefined));
    const cached = await download(id, { Range: `bytes=${SIZE - 10}-` });
    assert.equal(cached.status, 206);
    assert.equal(cached.headers.get("etag"), `"${sha(file)}"`);
    assert.ok(Buffer.from(await cached.arrayBuffer()).equals(file.subarray(SIZE - 10)));
  });

  it("when A dies mid-file the agent gets a short body, B caches nothing, and a Range resume completes the file", async () => {
    const file = randomBytes(SIZE);
    const id = await upload(file);
    const cut = gate.cutAfter(4 * MiB);
    const res = await within(download(id), 30_000, "B's answer before A was cut");
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await cut;
    const got = await within(readRest(reader), 30_000, "the end of the cut download");
    assert.ok(got.error !== undefined, "the body ends in an error, not a clean end");
    assert.ok(got.bytes.length < SIZE, `the agent got ${got.bytes.length} bytes`);
    assert.ok(file.subarray(0, got.bytes.length).equals(got.bytes), "what came is the file's start");
    // B removes the partial file and writes no cache entry
    await waitFor("B's temp folder emptied", () => (readdirSync(join(cacheRoot, "tmp")).length === 0 ? true : undefined));
    assert.equal(existsSync(`${cachePath(id)}.json`), false, "no cache entry");
    assert.equal(existsSync(cachePath(id)), false, "no cached bytes");
    // the agent's downloader resumes where it stopped: B fetches from A again and serves the range
    const resumed = await within(download(id, { Range: `bytes=${got.bytes.length}-` }), 30_000, "the resumed download");
    assert.equal(resumed.status, 206);
    assert.equal(resumed.headers.get("content-range"), `bytes ${got.bytes.length}-${SIZE - 1}/${SIZE}`);
    const rest = Buffer.from(await resumed.arrayBuffer());
    assert.equal(sha(Buffer.concat([got.bytes, rest])), sha(file));
    await waitFor("the cache entry", () => (existsSync(`${cachePath(id)}.json`) ? true : undefined));
    const whole = await download(id);
    assert.equal(whole.headers.get("etag"), `"${sha(file)}"`);
    assert.equal(sha(Buffer.from(await whole.arrayBuffer())), sha(file));
  });
});
