// Issue 15, archive export from the client, council side: the share service's archive endpoint
// (appservices/share/src/archive-route.ts) takes the tar a client built (here the room's items as
// room-source.ts reads them, standing in for the browser's decrypted ones), checks the agent may
// export the room (moderator level, asked to the homeserver), writes the manifest with its own
// SHA-256s and signs; the client-side code encrypts to the archivist. The real GnuPG decrypts and
// verifies the result and every item matches its manifest hash. Refusals: no token, a member below
// the moderator level, a draft naming another room, a tar without draft, a draft that lies about
// the entries.
import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { gnupgHome, openArchive, stopGnupg, type Gpg } from "../harness/gnupg.ts";
import { startArchiveShareService } from "../harness/archive-share.ts";
import { startShareService, type RunningShareService } from "../../appservices/share/src/share-server.ts";
import { archiveRoute } from "../../appservices/share/src/archive-route.ts";
import { draftTar, parseSealResponse, sealedMessage } from "../../appservices/files/src/archive/archive-from-client.ts";
import { roomArchiveItems } from "../../appservices/files/src/archive/room-source.ts";
import type { ArchiveManifest } from "../../appservices/files/src/archive/archive-layout.ts";
import { tarStream } from "../../appservices/files/src/archive/tar-stream.ts";
import { archiveKeyPathsIn } from "../../homeserver-config/src/archive-key-files.ts";
import { main } from "../../homeserver-config/src/cli.ts";
import type { Io } from "../../homeserver-config/src/cli-kit.ts";
import { encryptingStream } from "../../appservices/files/src/attachments/attachment-stream.ts";
import { nodeBackend } from "../../appservices/files/src/attachments/node-backend.ts";

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

async function toBlob(s: ReadableStream<Uint8Array>): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const c of s) parts.push(c as Uint8Array<ArrayBuffer>);
  return new Blob(parts);
}

describe("dossiers: archive export endpoint (client-built tar, council signature), read by GnuPG", function () {
  this.timeout(120_000);
  let hs: TestHomeserver;
  let share: RunningShareService;
  let dir: string;
  let gnupg: string;
  let alice: Session;
  let bob: Session;
  let roomId: string;
  let councilFpr: string;
  let gpg: Gpg;
  const post = (tar: Blob, who: Session | undefined, room = roomId) => fetch(`${share.url}/api/archive/${enc(room)}`, {
    method: "POST", body: tar, headers: { "Content-Type": "application/x-tar", ...(who ? { Authorization: `Bearer ${who.accessToken}` } : {}) },
  });
  const items = (missing: ArchiveManifest["missing"]) => roomArchiveItems({ baseUrl: hs.url, accessToken: alice.accessToken, roomId, backend: nodeBackend }, missing);
  const plain = randomBytes(10_000);
  const secret = randomBytes(70_000);

  before(async () => {
    hs = await startTestHomeserver();
    dir = mkdtempSync(join(tmpdir(), "entente-archive-endpoint-"));
    gnupg = join(dir, "gnupg");
    gpg = gnupgHome(gnupg);
    ({ share, councilFpr } = await startArchiveShareService(dir, gpg, hs.url, "archives@a.test"));

    alice = await registerUser(hs.url, "alice");
    bob = await registerUser(hs.url, "bob");
    ({ room_id: roomId } = await call<{ room_id: string }>(hs.url, alice, "POST", "/_matrix/client/v3/createRoom", { name: "Dossier voirie", preset: "public_chat" }));
    await call(hs.url, bob, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    let txn = 0;
    const send = (content: Record<string, unknown>) => call(hs.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t${txn++}`, content);
    const upload = async (data: Uint8Array, name: string) => ((await (await fetch(`${hs.url}/_matrix/media/v3/upload?filename=${enc(name)}`, {
      method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/octet-stream" }, body: data,
    })).json()) as { content_uri: string }).content_uri;
    await send({ msgtype: "m.text", body: "Travaux rue de la Paix." });
    await send({ msgtype: "m.file", body: "devis.pdf", info: { mimetype: "application/pdf", size: plain.length }, url: await upload(plain, "devis.pdf") });
    const e = encryptingStream(nodeBackend);
    const cipher = await toBlob(new Blob([secret]).stream().pipeThrough(e.stream));
    await send({ msgtype: "m.file", body: "arrêté.odt", info: { mimetype: "application/vnd.oasis.opendocument.text", size: secret.length }, file: { ...(await e.info), url: await upload(new Uint8Array(await cipher.arrayBuffer()), "x") } });
  });
  after(async () => {
    stopGnupg(gnupg);
    await share?.close();
    await hs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs the client's tar with the council key; the client encrypts; gpg decrypts, verifies, every hash matches", async () => {
    const missing: ArchiveManifest["missing"] = [];
    const tar = await toBlob(draftTar(roomId, items(missing), missing));
    const res = await post(tar, alice);
    assert.equal(res.status, 200, await res.clone().text());
    const sealed = parseSealResponse(await res.json());
    assert.equal(sealed.manifest.exported_by, alice.userId);
    assert.equal(sealed.manifest.signed_by, councilFpr);
    const out = join(dir, "export.tar.gpg");
    writeFileSync(out, Buffer.from(await (await toBlob(await sealedMessage(tar, sealed))).arrayBuffer()));

    const { dir: x, manifest } = openArchive(gpg, out, join(dir, "archive.tar"), join(dir, "x"), councilFpr);
    assert.deepEqual(manifest, sealed.manifest);
    assert.equal(manifest.room_id, roomId);
    assert.deepEqual(manifest.items.map((i) => i.kind), ["room", "messages", "file", "file"]);
    assert.deepEqual(manifest.items.filter((i) => i.kind === "file").map((f) => [f.name, f.sha256]), [["devis.pdf", sha(plain)], ["arrêté.odt", sha(secret)]]);
    assert.match(readFileSync(join(x, "messages.jsonl"), "utf8"), /Travaux rue de la Paix/);

    // Logged (who, which room, how much), nothing else kept.
    const log = readFileSync(join(dir, "share", "archive", "exports.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(log.length, 1);
    assert.equal(log[0]?.["user"], alice.userId);
    assert.equal(log[0]?.["room_id"], roomId);
    assert.equal(log[0]?.["sha256"], sha(readFileSync(join(dir, "archive.tar"))));
  });

  it("refuses without a token, below the moderator level, and a tar whose draft is missing, names another room or lies", async () => {
    const missing: ArchiveManifest["missing"] = [];
    const tar = await toBlob(draftTar(roomId, items(missing), missing));
    const errcode = async (r: Response) => ((await r.json()) as { errcode: string }).errcode;
    let r = await post(tar, undefined);
    assert.equal(r.status, 401);
    assert.equal(await errcode(r), "M_MISSING_TOKEN");
    r = await post(tar, bob);
    assert.equal(r.status, 403, "bob is a member at level 0");
    assert.match(((await r.json()) as { error: string }).error, /power level 50/);
    const other = await call<{ room_id: string }>(hs.url, alice, "POST", "/_matrix/client/v3/createRoom", {});
    r = await post(tar, alice, other.room_id);
    assert.equal(r.status, 400, "the draft names another room");
    assert.match(((await r.json()) as { error: string }).error, /another room/);

    const entry = (path: string, text: string) => ({ path, size: Buffer.byteLength(text), mtime: new Date(), body: new Blob([text]).stream() });
    async function* only(...e: ReturnType<typeof entry>[]) { yield* e; }
    r = await post(await toBlob(tarStream(only(entry("room.json", "{}")))), alice);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /no manifest\.json/);
    const lying = JSON.stringify({ room_id: roomId, items: [{ path: "room.json", kind: "room" }, { path: "files/0001-x", kind: "file" }], missing: [] });
    r = await post(await toBlob(tarStream(only(entry("room.json", "{}"), entry("manifest.json", lying)))), alice);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /does not list the tar's entries/);
    r = await post(new Blob([randomBytes(2048)]), alice);
    assert.equal(r.status, 400, "not a tar");
    assert.equal(readFileSync(join(dir, "share", "archive", "exports.jsonl"), "utf8").trim().split("\n").length, 1, "refusals are not exports");
  });

  it("reads the keys where entente archive-key create and archivist put them; answers 'not configured' until both are there", async () => {
    const cli = async (...argv: string[]) => {
      const io: Io & { o: string; e: string } = { o: "", e: "", env: {}, out: (t) => void (io.o += t), err: (t) => void (io.e += t) };
      return { code: await main(argv, io), out: io.o, err: io.e };
    };
    const councilDir = join(dir, "council");
    mkdirSync(councilDir);
    const config = join(councilDir, "homeserver.yaml");
    writeFileSync(config, "# test\n");
    const svc = await startShareService({
      dataDir: join(dir, "share2"), homeserverUrl: hs.url, log: () => undefined,
      routes: [archiveRoute({ keys: { signingKeyFile: archiveKeyPathsIn(councilDir).secret, archivistKeyFile: archiveKeyPathsIn(councilDir).archivist }, homeserverUrl: hs.url })],
    });
    try {
      const missing: ArchiveManifest["missing"] = [];
      const tar = await toBlob(draftTar(roomId, items(missing), missing));
      const send = () => fetch(`${svc.url}/api/archive/${enc(roomId)}`, { method: "POST", body: tar, headers: { Authorization: `Bearer ${alice.accessToken}` } });
      assert.equal((await cli("archive-key", "create", "--config", config, "--name", "Mairie B", "--email", "archives@b.test")).code, 0);
      let r = await send();
      assert.equal(r.status, 404, "no archivist's key yet");
      assert.match(((await r.json()) as { error: string }).error, /not configured/);
      writeFileSync(join(dir, "junk.asc"), "pas une clé");
      const bad = await cli("archive-key", "archivist", "--config", config, "--key", join(dir, "junk.asc"));
      assert.equal(bad.code, 1);
      assert.match(bad.err, /not an armored OpenPGP public key/);
      const ok = await cli("archive-key", "archivist", "--config", config, "--key", join(dir, "archivist.asc"));
      assert.equal(ok.code, 0, ok.err);
      assert.equal((await cli("archive-key", "archivist", "--config", config, "--key", join(dir, "archivist.asc"))).code, 1, "never replaced");
      r = await send();
      assert.equal(r.status, 200, await r.clone().text());
      const sealed = parseSealResponse(await r.json());
      writeFileSync(join(dir, "b.tar.gpg"), Buffer.from(await (await toBlob(await sealedMessage(tar, sealed))).arrayBuffer()));
      const dec = gpg("--status-fd", "2", "--output", "/dev/null", "--decrypt", join(dir, "b.tar.gpg"));
      // Decrypted with the archivist's key recorded by the CLI (the new council key is not in this keyring: no signature check here).
      assert.match(dec.stderr.toString(), /DECRYPTION_OKAY/);
      assert.match(dec.stderr.toString(), /NO_PUBKEY/);
    } finally {
      await svc.close();
    }
  });
});
