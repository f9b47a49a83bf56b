import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../../../tests/harness/homeserver.ts";
import { startShareService, type RunningShareService } from "./share-server.ts";
import { createShare, encryptForShare, listShares, revokeShare, sharePassword, ShareApiError } from "./share-client.ts";
import { checkPasswordMessage } from "./packets.ts";
import { FRENCH } from "./share-rules.ts";
import { nameKey, openName, sealName } from "./page/sealed-name.js";

const MARKER = "CONFIDENTIEL-ETAT-CIVIL-0042";

async function collect(s: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await s.pipeTo(new WritableStream({ write: (c) => void parts.push(c) }));
  return Buffer.concat(parts);
}

/** What the recipient page does, in Node: password check on the first packet, then download. */
async function receive(base: string, id: string, password: string): Promise<{ ok: true; data: Buffer } | { ok: false; status: number; message: string }> {
  const key = await fetch(`${base}/s/${id}/key`);
  if (!key.ok) return { ok: false, status: key.status, message: ((await key.json()) as { message: string }).message };
  const head = await openpgp.readMessage({ binaryMessage: new Uint8Array(await key.arrayBuffer()), config: { enforceGrammar: false } });
  let sessionKeys;
  try {
    sessionKeys = await openpgp.decryptSessionKeys({ message: head, passwords: [password] });
  } catch {
    return { ok: false, status: 0, message: "wrong password" };
  }
  const res = await fetch(`${base}/s/${id}/data`);
  if (!res.ok || !res.body) return { ok: false, status: res.status, message: ((await res.json()) as { message: string }).message };
  const message = await openpgp.readMessage({ binaryMessage: res.body });
  const { data } = await openpgp.decrypt({ message, sessionKeys: sessionKeys as openpgp.SessionKey[], format: "binary" });
  return { ok: true, data: await collect(data as ReadableStream<Uint8Array>) };
}

describe("citizen sharing service", function () {
  this.timeout(120_000);
  let hs: TestHomeserver;
  let svc: RunningShareService;
  let dir: string;
  let clock = Date.now();
  let agent: { serviceUrl: string; accessToken: string };

  before(async () => {
    hs = await startTestHomeserver();
    dir = mkdtempSync(join(tmpdir(), "entente-share-"));
    svc = await startShareService({ dataDir: join(dir, "shares"), homeserverUrl: hs.url, maxBytes: 8 * 1024 * 1024, now: () => clock });
    const alice = await registerUser(hs.url, "agent");
    agent = { serviceUrl: svc.url, accessToken: alice.accessToken };
  });
  after(async () => {
    await svc.close();
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const plaintext = Buffer.concat([Buffer.from(MARKER), randomBytes(300_000), Buffer.from(MARKER)]);
  const upload = async (opts: { maxDownloads?: number; expiresInHours?: number; expiresAt?: number } = {}) => {
    const password = sharePassword();
    const ciphertext = await encryptForShare(new Blob([plaintext]).stream(), password, "acte.pdf");
    return { password, share: await createShare(agent, { name: "acte.pdf", ciphertext, ...opts }) };
  };

  it("encrypts with a password (SKESK then AEAD data) and the service gives a link; the right password decrypts, a wrong one is refused before any download", async () => {
    const { password, share } = await upload({ maxDownloads: 2 });
    assert.match(share.url, new RegExp(`^${svc.url}/s/[A-Za-z0-9_-]{22}$`));
    // The link ends with the fragment that opens the name; the service only has the sealed name.
    assert.match(share.link, new RegExp(`^${svc.url}/s/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
    const fragment = share.link.split("#")[1] ?? "";
    const meta = (await (await fetch(`${svc.url}/s/${share.id}/meta`)).json()) as Record<string, unknown>;
    assert.equal(meta["name"], undefined);
    assert.equal(await openName(meta["sealed_name"], fragment), "acte.pdf");
    assert.equal(await openName(meta["sealed_name"], nameKey()), undefined, "another fragment opens nothing");
    assert.equal(share.state, "active");
    assert.match(password, /^[a-z2-9]{4}(-[a-z2-9]{4}){4}$/);
    const wrong = await receive(svc.url, share.id, "mauvais-mot-de-passe");
    assert.deepEqual(wrong, { ok: false, status: 0, message: "wrong password" });
    const right = await receive(svc.url, share.id, password);
    assert.ok(right.ok && right.data.equals(plaintext));
    const [listed] = (await listShares(agent)).filter((s) => s.id === share.id);
    assert.equal(listed?.downloads, 1, "the wrong password cost no download");
    assert.deepEqual(listed?.access?.map((a) => a.action), ["key", "key", "download"]);
  });

  it("download limit, expiry and revocation are refused with a plain French message, and logged", async () => {
    const one = await upload({ maxDownloads: 1 });
    assert.ok((await receive(svc.url, one.share.id, one.password)).ok);
    assert.deepEqual(await receive(svc.url, one.share.id, one.password), { ok: false, status: 410, message: FRENCH.exhausted });

    const soon = await upload({ expiresInHours: 1 });
    clock += 2 * 3_600_000;
    assert.deepEqual(await receive(svc.url, soon.share.id, soon.password), { ok: false, status: 410, message: FRENCH.expired });
    const meta = await fetch(`${svc.url}/s/${soon.share.id}/meta`);
    assert.equal(meta.status, 410);

    const revoked = await upload();
    assert.equal((await revokeShare(agent, revoked.share.id)).state, "revoked");
    assert.deepEqual(await receive(svc.url, revoked.share.id, revoked.password), { ok: false, status: 410, message: FRENCH.revoked });
    assert.equal((await fetch(`${svc.url}/s/AAAAAAAAAAAAAAAAAAAAAA/data`)).status, 404);

    const shares = await listShares(agent);
    const log = shares.find((s) => s.id === revoked.share.id)?.access ?? [];
    assert.deepEqual(log.map((a) => [a.action, a.reason]), [["refused", "revoked"]]);
    assert.equal(shares.find((s) => s.id === one.share.id)?.state, "exhausted");
    assert.equal(shares.find((s) => s.id === soon.share.id)?.state, "expired");
  });

  it("refuses plaintext, messages without AEAD, bad parameters, oversized bodies and unknown tokens (Matrix error codes)", async () => {
    const sealed = await sealName("x.pdf", nameKey());
    const post = (body: Uint8Array<ArrayBuffer>, q = `sealed_name=${sealed}`, token = agent.accessToken) =>
      fetch(`${svc.url}/api/shares?${q}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body });
    const plain = await post(new Uint8Array(plaintext));
    assert.equal(plain.status, 400);
    assert.equal(((await plain.json()) as { errcode: string }).errcode, "M_BAD_JSON");
    const noAead = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: plaintext }), passwords: ["x"], format: "binary", config: { aeadProtect: false } });
    assert.equal(checkPasswordMessage(noAead).ok, false);
    assert.equal((await post(new Uint8Array(noAead))).status, 400);
    const ok = await encryptForShare(new Blob([Buffer.from("x")]).stream(), "pw", "x");
    const okBytes = new Uint8Array(await collect(ok));
    for (const q of ["", "name=x.pdf", `name=x.pdf&sealed_name=${sealed}`, "sealed_name=a/b", `sealed_name=${sealed}&max_downloads=0`, `sealed_name=${sealed}&expires_in_hours=99999`, `sealed_name=${sealed}&max_downloads=abc`]) {
      const r = await post(okBytes, q);
      assert.equal(r.status, 400, q);
      assert.equal(((await r.json()) as { errcode: string }).errcode, "M_INVALID_PARAM", q);
    }
    const big = await post(new Uint8Array(9 * 1024 * 1024));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { errcode: string }).errcode, "M_TOO_LARGE");
    assert.equal((await post(okBytes, `sealed_name=${sealed}`, "nope")).status, 401);
    assert.equal((await fetch(`${svc.url}/api/shares`)).status, 401);
    await assert.rejects(revokeShare({ ...agent, accessToken: "nope" }, "AAAAAAAAAAAAAAAAAAAAAA"), (e: unknown) => e instanceof ShareApiError && e.errcode === "M_UNKNOWN_TOKEN");
  });

  it("takes the expiry as a chosen date (expires_at): kept as given, refused in the past or beyond the maximum; the limits are published", async () => {
    const limits = (await (await fetch(`${svc.url}/api/limits`)).json()) as Record<string, number>;
    assert.deepEqual(limits, { max_expiry_hours: 24 * 30, max_downloads: 100, max_upload_bytes: 8 * 1024 * 1024 });
    const chosen = clock + 5 * 86_400_000 + 17 * 60_000 + 123;
    const { share } = await upload({ expiresAt: chosen });
    assert.equal(share.expires_at, chosen, "the chosen date and time, to the millisecond");
    // the agent's clock a little ahead of the service's: brought back to the maximum
    const { share: atMax } = await upload({ expiresAt: clock + 30 * 86_400_000 + 60_000 });
    assert.equal(atMax.expires_at, clock + 30 * 86_400_000);
    const sealed = await sealName("x.pdf", nameKey());
    const okBytes = new Uint8Array(await collect(await encryptForShare(new Blob([Buffer.from("x")]).stream(), "pw", "x")));
    for (const q of [`expires_at=${clock}`, `expires_at=${clock + 31 * 86_400_000}`, `expires_at=${chosen}&expires_in_hours=3`, "expires_at=demain"]) {
      const r = await fetch(`${svc.url}/api/shares?sealed_name=${sealed}&${q}`, { method: "POST", headers: { Authorization: `Bearer ${agent.accessToken}` }, body: okBytes });
      assert.equal(r.status, 400, q);
      assert.equal(((await r.json()) as { errcode: string }).errcode, "M_INVALID_PARAM", q);
    }
    const drop = await fetch(`${svc.url}/api/drops?expires_at=${chosen}`, { method: "POST", headers: { Authorization: `Bearer ${agent.accessToken}` } });
    assert.equal(drop.status, 201);
    assert.equal(((await drop.json()) as { expires_at: number }).expires_at, chosen, "a reply link takes a chosen date too");
  });

  it("another agent neither sees nor revokes a share", async () => {
    const bob = await registerUser(hs.url, "autre");
    const other = { serviceUrl: svc.url, accessToken: bob.accessToken };
    const { share } = await upload();
    assert.equal((await listShares(other)).length, 0);
    await assert.rejects(revokeShare(other, share.id), (e: unknown) => e instanceof ShareApiError && e.status === 404);
  });

  it("the service's storage holds no plaintext (nor the password, nor the file's name), only 0600 files", async () => {
    const { password } = await upload();
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => files.push(p))(join(d, e.name));
    };
    walk(join(dir, "shares"));
    assert.ok(files.some((f) => f.endsWith("data.pgp")));
    const needles = [Buffer.from(MARKER), plaintext.subarray(1000, 1064), Buffer.from(password), Buffer.from("acte.pdf")];
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const n of needles) assert.equal(bytes.indexOf(n), -1, `${f} contains plaintext`);
      assert.equal(statSync(f).mode & 0o077, 0, f);
    }
  });
});
