// Two councils: typing and receipts as EDUs, remote profiles, remote aliases, the remote room
// directory, and media of A downloaded by B's users (streamed, cached, ranges).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, openSync, readSync, closeSync, rmSync, writeSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import sharp from "sharp";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { ApiError, call, enc, type Session } from "../harness/client-api.ts";
import { MultipartReader, multipartBoundary, readPart } from "../../homeserver/src/server/federation/multipart-mixed.ts";

type Ephemeral = { type: string; content: Record<string, unknown> };

/** /sync for one user, keeping every ephemeral event per room. */
class EphemeralFollower {
  private since: string | undefined;
  readonly events = new Map<string, Ephemeral[]>();
  readonly invites = new Set<string>();
  private readonly base: string;
  private readonly who: Session;
  constructor(base: string, who: Session) {
    this.base = base;
    this.who = who;
  }
  async poll(timeoutMs = 0): Promise<void> {
    const q = this.since ? `?since=${enc(this.since)}&timeout=${timeoutMs}` : "?timeout=0";
    const r = await call<{ next_batch: string; rooms: { join: Record<string, { ephemeral?: { events: Ephemeral[] } }>; invite: Record<string, unknown> } }>(
      this.base, this.who, "GET", `/_matrix/client/v3/sync${q}`);
    this.since = r.next_batch;
    for (const [roomId, room] of Object.entries(r.rooms.join)) {
      this.events.set(roomId, [...(this.events.get(roomId) ?? []), ...(room.ephemeral?.events ?? [])]);
    }
    for (const roomId of Object.keys(r.rooms.invite)) this.invites.add(roomId);
  }
  latest(roomId: string, type: string): Ephemeral | undefined {
    return (this.events.get(roomId) ?? []).filter((e) => e.type === type).at(-1);
  }
}

const SIZE = 50 * 1024 * 1024;

async function sha256OfResponse(res: Response): Promise<{ hash: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hash: hash.digest("hex"), size };
}

describe("federation extras: EDUs, profiles, directory, media", function () {
  this.timeout(240_000);
  let fed: TestFederation;
  let a: string, b: string;
  let alice: Session, bob: Session;
  let roomId: string;
  let bobSync: EphemeralFollower;
  let dir: string;

  before(async () => {
    fed = await startFederation(["a.test", "b.test"]);
    a = fed.get("a.test").url;
    b = fed.get("b.test").url;
    alice = await registerUser(a, "alice");
    bob = await registerUser(b, "bob");
    dir = mkdtempSync(join(tmpdir(), "fed-extras-"));
    bobSync = new EphemeralFollower(b, bob);
    await bobSync.poll();
    ({ room_id: roomId } = await call<{ room_id: string }>(a, alice, "POST", "/_matrix/client/v3/createRoom", { name: "Voirie", invite: [bob.userId] }));
    await waitFor("bob's invite", async () => {
      await bobSync.poll(500);
      return bobSync.invites.has(roomId) || undefined;
    });
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    await waitFor("bob joined on A", async () => {
      const m = await call<{ joined: Record<string, unknown> }>(a, alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
      return bob.userId in m.joined || undefined;
    });
  });
  after(async () => {
    await fed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("sends A's typing notifications to B's /sync, both starting and stopping", async () => {
    const typingOnB = (): string[] | undefined => bobSync.latest(roomId, "m.typing")?.content["user_ids"] as string[] | undefined;
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/typing/${enc(alice.userId)}`, { typing: true, timeout: 25_000 });
    await waitFor("alice typing on B", async () => {
      await bobSync.poll(1000);
      return typingOnB()?.includes(alice.userId) || undefined;
    });
    await call(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/typing/${enc(alice.userId)}`, { typing: false });
    await waitFor("alice stopped typing on B", async () => {
      await bobSync.poll(1000);
      return typingOnB()?.length === 0 || undefined;
    });
  });

  it("sends A's public read receipts to B's /sync", async () => {
    const { event_id: eventId } = await call<{ event_id: string }>(a, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/r1`, { msgtype: "m.text", body: "lu ?" });
    await call(a, alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/receipt/m.read/${enc(eventId)}`, {});
    const receipt = await waitFor("alice's receipt on B", async () => {
      await bobSync.poll(1000);
      const content = bobSync.latest(roomId, "m.receipt")?.content as Record<string, Record<string, Record<string, { ts: number }>>> | undefined;
      return content?.[eventId]?.["m.read"]?.[alice.userId];
    });
    assert.equal(typeof receipt.ts, "number");
  });

  it("tells B about A's users' presence", async () => {
    await call(a, alice, "PUT", `/_matrix/client/v3/presence/${enc(alice.userId)}/status`, { presence: "unavailable", status_msg: "en conseil municipal" });
    const p = await waitFor("alice's presence on B", async () => {
      const r = await call<{ presence: string; status_msg?: string }>(b, bob, "GET", `/_matrix/client/v3/presence/${enc(alice.userId)}/status`).catch(() => undefined);
      return r?.presence === "unavailable" ? r : undefined;
    });
    assert.equal(p.status_msg, "en conseil municipal");
    const sync = await call<{ presence: { events: { sender: string; content: { presence: string } }[] } }>(b, bob, "GET", "/_matrix/client/v3/sync?timeout=0");
    assert.equal(sync.presence.events.find((e) => e.sender === alice.userId)?.content.presence, "unavailable", "delivered in bob's /sync");
    const filter = encodeURIComponent(JSON.stringify({ presence: { not_types: ["*"] } }));
    const none = await call<{ presence: { events: unknown[] } }>(b, bob, "GET", `/_matrix/client/v3/sync?timeout=0&filter=${filter}`);
    assert.deepEqual(none.presence.events, [], "a filter can turn presence off");
  });

  it("looks up profiles of B's users from A (404 for unknown users)", async () => {
    await call(b, bob, "PUT", `/_matrix/client/v3/profile/${enc(bob.userId)}/displayname`, { displayname: "Bob de B" });
    const profile = await call<{ displayname?: string }>(a, alice, "GET", `/_matrix/client/v3/profile/${enc(bob.userId)}`);
    assert.equal(profile.displayname, "Bob de B");
    const name = await call<{ displayname?: string }>(a, alice, "GET", `/_matrix/client/v3/profile/${enc(bob.userId)}/displayname`);
    assert.deepEqual(name, { displayname: "Bob de B" });
    await assert.rejects(call(a, alice, "GET", `/_matrix/client/v3/profile/${enc("@nobody:b.test")}`), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  it("resolves B's aliases and lists B's published rooms from A", async () => {
    const created = await call<{ room_id: string }>(b, bob, "POST", "/_matrix/client/v3/createRoom", { name: "Conseil communautaire", room_alias_name: "conseil", visibility: "public" });
    const resolved = await call<{ room_id: string; servers: string[] }>(a, alice, "GET", `/_matrix/client/v3/directory/room/${enc("#conseil:b.test")}`);
    assert.equal(resolved.room_id, created.room_id);
    assert.ok(resolved.servers.includes("b.test"));
    await assert.rejects(call(a, alice, "GET", `/_matrix/client/v3/directory/room/${enc("#absent:b.test")}`), (e: unknown) => e instanceof ApiError && e.status === 404);

    type Rooms = { chunk: { room_id: string; name?: string }[] };
    const listed = await call<Rooms>(a, alice, "GET", "/_matrix/client/v3/publicRooms?server=b.test");
    assert.deepEqual(listed.chunk.map((r) => [r.room_id, r.name]), [[created.room_id, "Conseil communautaire"]]);
    const found = await call<Rooms>(a, alice, "POST", "/_matrix/client/v3/publicRooms?server=b.test", { filter: { generic_search_term: "conseil" } });
    assert.deepEqual(found.chunk.map((r) => r.room_id), [created.room_id]);
    const none = await call<Rooms>(a, alice, "POST", "/_matrix/client/v3/publicRooms?server=b.test", { filter: { generic_search_term: "piscine" } });
    assert.deepEqual(none.chunk, []);
    // A's own directory does not list B's room
    const local = await call<Rooms>(a, alice, "GET", "/_matrix/client/v3/publicRooms");
    assert.ok(!local.chunk.some((r) => r.room_id === created.room_id));
  });

  it("serves media to other servers as multipart/mixed, signed requests only", async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
    const up = await fetch(`${a}/_matrix/media/v3/upload?filename=carte.png`, { method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "image/png" }, body: png });
    const mediaId = ((await up.json()) as { content_uri: string }).content_uri.split("/").at(-1) ?? "";
    const client = fed.get("b.test").hs!.context.federation!.client;
    const parts = async (path: string): Promise<{ meta: string; headers: Map<string, string>; body: Buffer }> => {
      const res = await client.getStream("a.test", path);
      const reader = new MultipartReader(res.stream, multipartBoundary(res.headers["content-type"]) ?? "");
      const meta = (await readPart((await reader.nextPart())!.body, 1000)).toString();
      const file = (await reader.nextPart())!;
      return { meta, headers: file.headers, body: await readPart(file.body, 10_000_000) };
    };
    const dl = await parts(`/_matrix/federation/v1/media/download/${mediaId}`);
    assert.equal(dl.meta, "{}");
    assert.equal(dl.headers.get("content-type"), "image/png");
    assert.equal(dl.headers.get("content-disposition"), 'inline; filename="carte.png"');
    assert.ok(dl.body.equals(png));
    const th = await parts(`/_matrix/federation/v1/media/thumbnail/${mediaId}?width=32&height=32&method=scale`);
    assert.equal(th.headers.get("content-type"), "image/png");
    const meta = await sharp(th.body).metadata();
    assert.ok(meta.width !== undefined && meta.width < 300 && meta.width >= 32, `thumbnail width ${meta.width}`);
    // without an X-Matrix signature: 401
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port: fed.get("a.test").hs!.federationPort, path: `/_matrix/federation/v1/media/download/${mediaId}`, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 401);
  });

  it("lets B's users download a 50 MB file of A: identical, ranges, then from B's cache with A down", async () => {
    const path = join(dir, "big.bin");
    const fd = openSync(path, "w");
    const hash = createHash("sha256");
    for (let i = 0; i < SIZE / (1024 * 1024); i++) {
      const chunk = randomBytes(1024 * 1024);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const expected = hash.digest("hex");
    const up = await fetch(`${a}/_matrix/media/v3/upload?filename=dossier.bin`, {
      method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/octet-stream", "Content-Length": String(SIZE) },
      body: Readable.toWeb(createReadStream(path)) as ReadableStream, duplex: "half",
    } as RequestInit);
    assert.equal(up.status, 200);
    const mxc = ((await up.json()) as { content_uri: string }).content_uri;
    assert.match(mxc, /^mxc:\/\/a\.test\//);
    const url = `${b}/_matrix/client/v1/media/download/${mxc.slice("mxc://".length)}`;
    const auth = { Authorization: `Bearer ${bob.accessToken}` };

    // memory stays flat while B fetches, caches and serves the file: nothing holds it whole
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);
    const first = await fetch(url, { headers: auth });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-length"), String(SIZE));
    assert.equal(first.headers.get("content-disposition"), 'attachment; filename="dossier.bin"');
    assert.deepEqual(await sha256OfResponse(first), { hash: expected, size: SIZE });
    clearInterval(sampler);
    console.log(`      (resident memory grew by ${Math.round((rssPeak - rssBefore) / 1e6)} MB for a ${SIZE / 1e6} MB file)`);
    assert.ok(rssPeak - rssBefore < 45 * 1024 * 1024, `resident memory grew by ${rssPeak - rssBefore} bytes`);

    const slice = (start: number, len: number): Buffer => {
      const h = openSync(path, "r");
      const out = Buffer.alloc(len);
      readSync(h, out, 0, len, start);
      closeSync(h);
      return out;
    };
    const ranged = await fetch(url, { headers: { ...auth, Range: "bytes=30000000-30000999" } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-range"), `bytes 30000000-30000999/${SIZE}`);
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(slice(30_000_000, 1000)));

    // A goes away: B still serves the file from its own cache, ranges included
    await fed.get("a.test").stop();
    const again = await fetch(url, { headers: auth });
    assert.equal(again.status, 200);
    assert.deepEqual(await sha256OfResponse(again), { hash: expected, size: SIZE });
    const tail = await fetch(url, { headers: { ...auth, Range: "bytes=-500" } });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(slice(SIZE - 500, 500)));
    // and media it never fetched is not available (proves the cache, not A, answered above)
    const other = await fetch(`${b}/_matrix/client/v1/media/download/a.test/neverFetched?timeout_ms=1000`, { headers: auth });
    assert.equal(other.status, 502);
    await other.body?.cancel();
  });
});
