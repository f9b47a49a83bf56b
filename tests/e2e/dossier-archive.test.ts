// Issue 15, archive export: a room with messages, a plain file, a v2-encrypted file and a file in
// parts is exported by `entente archive export`; the real GnuPG decrypts it with the archivist's key
// (made by gpg itself), verifies the council's signature, and every extracted item matches the
// SHA-256 in the manifest. Also `entente archive-key create|import` and their errors.
import { strict as assert } from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { gnupgHome, makeArchivistKey, openArchive, stopGnupg, type Gpg } from "../harness/gnupg.ts";
import { main } from "../../homeserver-config/src/cli.ts";
import type { Io } from "../../homeserver-config/src/cli-kit.ts";
import { encryptingStream } from "../../appservices/files/src/attachments/attachment-stream.ts";
import { nodeBackend } from "../../appservices/files/src/attachments/node-backend.ts";
import { ChunkedUpload } from "../../appservices/files/src/chunked/uploader.ts";
import { fetchTransport } from "../../appservices/files/src/chunked/media-transport.ts";
import { memoryStateStore } from "../../appservices/files/src/chunked/upload-state.ts";

async function cli(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io: Io & { o: string; e: string } = { o: "", e: "", env, out: (t) => void (io.o += t), err: (t) => void (io.e += t) };
  const code = await main(argv, io);
  return { code, out: io.o, err: io.e };
}

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

async function upload(url: string, token: string, data: Uint8Array, name: string): Promise<string> {
  const res = await fetch(`${url}/_matrix/media/v3/upload?filename=${encodeURIComponent(name)}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream" }, body: data });
  return ((await res.json()) as { content_uri: string }).content_uri;
}

describe("dossiers: archive export read by GnuPG", function () {
  this.timeout(120_000);
  let hs: TestHomeserver;
  let dir: string;
  let gnupg: string;
  let gpg: Gpg;

  before(async () => {
    hs = await startTestHomeserver();
    dir = mkdtempSync(join(tmpdir(), "entente-archive-"));
    gnupg = join(dir, "gnupg");
    gpg = gnupgHome(gnupg);
  });
  after(async () => {
    stopGnupg(gnupg);
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports messages and files, signed and encrypted; gpg decrypts, verifies, and every hash matches the manifest", async () => {
    const recipient = join(dir, "archiviste.asc");
    makeArchivistKey(gpg, recipient);

    const config = join(dir, "council", "homeserver.yaml");
    mkdirSync(join(dir, "council"));
    writeFileSync(config, "# test\n");
    const created = await cli({}, "archive-key", "create", "--config", config, "--name", "Mairie A - archives", "--email", "archives@a.test");
    assert.equal(created.code, 0, created.err);
    const councilFpr = /archive key ([0-9A-F]{40})/.exec(created.out)?.[1] ?? "";
    assert.equal(statSync(join(dir, "council", "archive", "council-archive-key.asc")).mode & 0o777, 0o600);
    assert.equal(gpg("--import", join(dir, "council", "archive", "council-archive-key.pub.asc")).status, 0);

    // A room with two messages and three kinds of files.
    const alice = await registerUser(hs.url, "alice");
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, alice, "POST", "/_matrix/client/v3/createRoom", { name: "Dossier budget 2027", topic: "Budget commun" });
    let txn = 0;
    const send = (content: Record<string, unknown>) => call(hs.url, alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t${txn++}`, content);
    await send({ msgtype: "m.text", body: "Voici le budget prévisionnel." });
    const plain = randomBytes(10_000);
    await send({ msgtype: "m.file", body: "budget.ods", info: { mimetype: "application/vnd.oasis.opendocument.spreadsheet", size: plain.length }, url: await upload(hs.url, alice.accessToken, plain, "budget.ods") });
    const secret = randomBytes(30_000);
    const e = encryptingStream(nodeBackend);
    const cipher: Uint8Array[] = [];
    await new Blob([secret]).stream().pipeThrough(e.stream).pipeTo(new WritableStream({ write: (c) => void cipher.push(c) }));
    const secretUrl = await upload(hs.url, alice.accessToken, Buffer.concat(cipher), "encrypted");
    await send({ msgtype: "m.file", body: "délibération.pdf", info: { mimetype: "application/pdf", size: secret.length }, file: { ...(await e.info), url: secretUrl } });
    const big = randomBytes(200_000);
    const parts = await new ChunkedUpload({
      source: (o, l) => new Blob([big.subarray(o, o + l)]).stream(), name: "plan.tif", mimetype: "image/tiff", size: big.length,
      transport: fetchTransport({ baseUrl: hs.url, accessToken: alice.accessToken }), store: memoryStateStore(), backend: nodeBackend, partSize: 65536,
    }).start();
    await send(parts.content);
    await send({ msgtype: "m.text", body: "Validé en conseil." });

    const out = join(dir, "export.pgp");
    const bad = await cli({}, "archive", "export", "--config", config, "--room", roomId, "--homeserver", hs.url, "--recipient", recipient, "--out", out);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /ENTENTE_ACCESS_TOKEN/);
    const r = await cli({ ENTENTE_ACCESS_TOKEN: alice.accessToken }, "archive", "export", "--config", config, "--room", roomId, "--homeserver", hs.url, "--recipient", recipient, "--out", out);
    assert.equal(r.code, 0, r.err);

    // No AEAD, v4 signature, for gpg: gpg decrypts, verifies, every item matches its hash.
    const { dir: x, manifest, packets } = openArchive(gpg, out, join(dir, "archive.tar"), join(dir, "x"), councilFpr);
    assert.match(packets, /encrypted data packet/);
    assert.equal(manifest.room_id, roomId);
    assert.equal(manifest.signed_by, councilFpr);
    assert.deepEqual(manifest.missing, []);
    assert.deepEqual(manifest.items.map((i) => i.kind), ["room", "messages", "file", "file", "file"]);
    const files = manifest.items.filter((i) => i.kind === "file");
    assert.deepEqual(files.map((f) => f.sha256), [sha(plain), sha(secret), sha(big)]);
    assert.deepEqual(files.map((f) => f.name), ["budget.ods", "délibération.pdf", "plan.tif"]);
    const messages = readFileSync(join(x, "messages.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; content: { body?: string } });
    const bodies = messages.filter((m) => m.type === "m.room.message").map((m) => m.content.body);
    assert.deepEqual([bodies[0], bodies.at(-1)], ["Voici le budget prévisionnel.", "Validé en conseil."]);
    assert.match(readFileSync(join(x, "room.json"), "utf8"), /Dossier budget 2027/);
  });

  it("archive-key import takes a gpg secret key; errors are one line with exit codes 2 (usage) and 1 (failure)", async () => {
    // the archivist's key from the first test certifies only: refused
    const certOnly = /fpr:+([0-9A-F]{40}):/.exec(gpg("--with-colons", "--list-secret-keys").stdout.toString())?.[1] ?? "";
    writeFileSync(join(dir, "cert-only.asc"), gpg("--armor", "--export-secret-keys", certOnly).stdout);
    mkdirSync(join(dir, "council2"));
    const config2 = join(dir, "council2", "homeserver.yaml");
    writeFileSync(config2, "# test\n");
    const refused = await cli({}, "archive-key", "import", "--config", config2, "--key", join(dir, "cert-only.asc"));
    assert.equal(refused.code, 1);
    assert.match(refused.err, /cannot sign/);
    assert.equal(gpg("--quick-gen-key", "Mairie C <archives@c.test>", "ed25519", "sign", "never").status, 0);
    const fpr = [...gpg("--with-colons", "--list-secret-keys", "archives@c.test").stdout.toString().matchAll(/fpr:+([0-9A-F]{40}):/g)][0]?.[1] ?? "";
    const keyFile = join(dir, "gpg-secret.asc");
    writeFileSync(keyFile, gpg("--armor", "--export-secret-keys", fpr).stdout);
    const ok = await cli({}, "archive-key", "import", "--config", config2, "--key", keyFile);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, new RegExp(fpr));
    const again = await cli({}, "archive-key", "import", "--config", config2, "--key", keyFile);
    assert.equal(again.code, 1);
    assert.match(again.err, /already exists/);
    writeFileSync(join(dir, "junk.asc"), "pas une clé");
    mkdirSync(join(dir, "council3"));
    writeFileSync(join(dir, "council3", "homeserver.yaml"), "#\n");
    const junk = await cli({}, "archive-key", "import", "--config", join(dir, "council3", "homeserver.yaml"), "--key", join(dir, "junk.asc"));
    assert.equal(junk.code, 1);
    assert.match(junk.err, /not an armored OpenPGP secret key/);
    for (const argv of [["archive-key", "create", "--config", config2], ["archive", "export", "--room", "!x:y"], ["archive-key", "create", "--bogus"], ["archive", "export", "extra"]]) {
      const u = await cli({}, ...argv);
      assert.equal(u.code, 2, argv.join(" "));
      assert.equal(u.err.trim().split("\n").length, 1);
    }
  });
});
