// Password defences over real HTTP (docs/security.md): a per-account limit on wrong
// passwords for /login and user-interactive auth whatever the client address, the bounded hashing
// queue (a login storm does not stall media), the password policy, re-hashing of old hashes.
import assert from "node:assert/strict";
import { randomBytes, scryptSync } from "node:crypto";
import { startTestHomeserver, registerUser, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { hashQueueStats, resetHashQueueStats } from "../../homeserver/src/server/users/password-hash.ts";

const C = "/_matrix/client/v3";
const GOOD = "correct horse battery staple";
const LOCKOUT_MS = 1500;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url + path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const login = (url: string, user: string, password: string, from?: string): Promise<Reply> =>
  post(url, `${C}/login`, { type: "m.login.password", identifier: { type: "m.id.user", user }, password }, from === undefined ? {} : { "X-Forwarded-For": from });

const passwordAuth = (user: string, password: string, session?: unknown): Record<string, unknown> =>
  ({ type: "m.login.password", identifier: { type: "m.id.user", user }, password, ...(session !== undefined && { session }) });

function counts(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const key = `${r.status} ${String(r.body["errcode"] ?? "")}`.trim();
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe("password defences", function () {
  this.timeout(120_000);
  let server: TestHomeserver;
  before(async () => {
    server = await startTestHomeserver({ overrides: {
      // Behind a proxy: every guess comes from another address, and the per-address limit is the production one.
      listeners: { client: { host: "127.0.0.1", port: 0, trustForwardedFor: true } },
      rateLimits: { login: { perSecond: 0.5, burst: 5 }, register: { perSecond: 0, burst: 1 }, send: { perSecond: 0, burst: 1 } },
      passwords: { minimumLength: 10, hashingConcurrency: 2, hashingQueue: 32,
        failedAttempts: { freeAttempts: 5, lockoutMs: LOCKOUT_MS, maxLockoutMs: 60_000, forgetAfterMs: 3_600_000 } },
    } });
  });
  after(() => server?.stop());

  it("login: 40 guesses for one account from 40 addresses, only 5 are checked; the right password waits for the lock-out", async () => {
    await registerUser(server.url, "cible");
    const replies: Reply[] = [];
    for (let i = 0; i < 40; i++) replies.push(await login(server.url, "cible", `guess number ${i}`, `198.51.100.${i + 1}`));
    assert.deepEqual(counts(replies), { "403 M_FORBIDDEN": 5, "429 M_LIMIT_EXCEEDED": 35 });
    const locked = await login(server.url, "cible", GOOD, "203.0.113.200");
    assert.equal(locked.status, 429, "the right password is refused during the lock-out");
    const retry = Number(locked.body["retry_after_ms"]);
    assert.ok(retry > 0 && retry <= LOCKOUT_MS, `retry_after_ms ${retry}`);
    // Other accounts are not affected, and a differently-cased name is the same account.
    await registerUser(server.url, "voisin");
    assert.equal((await login(server.url, "voisin", GOOD, "203.0.113.201")).status, 200);
    assert.equal((await login(server.url, "CIBLE", GOOD, "203.0.113.202")).status, 429);
    // Once the lock-out is over, the right password works (and clears the count).
    const ok = await waitFor("the lock-out to end", async () => {
      const r = await login(server.url, "cible", GOOD, "203.0.113.203");
      return r.status === 429 ? undefined : r;
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it("login: unknown users are limited exactly like real ones (a lock-out reveals no account)", async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 8; i++) replies.push(await login(server.url, "personne", `guess number ${i}`, `192.0.2.${i + 1}`));
    assert.deepEqual(counts(replies), { "403 M_FORBIDDEN": 5, "429 M_LIMIT_EXCEEDED": 3 });
  });

  it("UIA with a stolen token: 5 wrong passwords on /delete_devices, then 429 for every password, shared with /login", async () => {
    const victim = await registerUser(server.url, "victime");
    const token = { Authorization: `Bearer ${victim.accessToken}` };
    const first = await post(server.url, `${C}/delete_devices`, { devices: [victim.deviceId] }, token);
    assert.equal(first.status, 401);
    const session = first.body["session"];
    const replies: Reply[] = [];
    for (let i = 0; i < 12; i++) {
      replies.push(await post(server.url, `${C}/delete_devices`, { devices: [victim.deviceId], auth: passwordAuth("victime", `guess number ${i}`, session) }, token));
    }
    assert.deepEqual(counts(replies), { "401 M_FORBIDDEN": 5, "429 M_LIMIT_EXCEEDED": 7 });
    const right = await post(server.url, `${C}/account/password`, { new_password: "a brand new password", auth: passwordAuth("victime", GOOD) }, token);
    assert.equal(right.status, 429, "the right password is refused during the lock-out");
    assert.equal((await login(server.url, "victime", GOOD, "203.0.113.210")).status, 429, "one counter for login and UIA");
    const done = await waitFor("the lock-out to end", async () => {
      const r = await post(server.url, `${C}/delete_devices`, { devices: [victim.deviceId], auth: passwordAuth("victime", GOOD, session) }, token);
      return r.status === 429 ? undefined : r;
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
  });

  it("a storm of 80 parallel logins never runs more than 2 hashes at once, overflows with 429, and a media download goes through meanwhile", async () => {
    const uploader = await registerUser(server.url, "archiviste");
    const bytes = randomBytes(2 * 1024 * 1024);
    const up = await fetch(`${server.url}/_matrix/media/v3/upload`, {
      method: "POST", headers: { Authorization: `Bearer ${uploader.accessToken}`, "Content-Type": "application/octet-stream" }, body: bytes,
    });
    assert.equal(up.status, 200);
    const mxc = ((await up.json()) as { content_uri: string }).content_uri;
    const downloadUrl = `${server.url}/_matrix/client/v1/media/download/${mxc.slice("mxc://".length)}`;

    resetHashQueueStats();
    // Distinct unknown users from distinct addresses: neither the per-address nor the per-account limit applies.
    const storm = Array.from({ length: 80 }, (_, i) => login(server.url, `storm${i}`, "not the password", `10.9.${i >> 8}.${i & 255}`));
    await waitFor("the storm to occupy the hashing slots", () => (hashQueueStats().running === 2 && hashQueueStats().queued > 0 ? true : undefined));
    const res = await fetch(downloadUrl, { headers: { Authorization: `Bearer ${uploader.accessToken}` } });
    const got = Buffer.from(await res.arrayBuffer());
    const atDownload = hashQueueStats();
    assert.equal(res.status, 200);
    assert.ok(got.equals(bytes), "byte-identical download");
    const replies = await Promise.all(storm);
    const after = hashQueueStats();
    const c = counts(replies);
    assert.equal(after.maxRunning, 2, "never more than hashing_concurrency hashes at once");
    assert.ok((c["429 M_LIMIT_EXCEEDED"] ?? 0) > 0 && after.rejected > 0, `the queue overflowed: ${JSON.stringify(c)}`);
    assert.equal((c["403 M_FORBIDDEN"] ?? 0) + (c["429 M_LIMIT_EXCEEDED"] ?? 0), 80, JSON.stringify(c));
    // Work, not time: when the download finished, the storm's queued hashes were still waiting.
    assert.ok(atDownload.queued + atDownload.running > 0, `download done with ${atDownload.completed} of ${after.completed} hashes finished`);
  });

  it("a password stored by an earlier version (scrypt) logs in and is re-hashed with Argon2id", async () => {
    const user = await registerUser(server.url, "ancien");
    const salt = randomBytes(16);
    const key = scryptSync(GOOD, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const users = server.hs.context.stores.users;
    await users.setPasswordHash(user.userId, ["scrypt", 2 ** 14, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$"));
    assert.equal((await login(server.url, "ancien", GOOD, "203.0.113.220")).status, 200);
    const stored = (await users.getUser(user.userId))?.passwordHash ?? "";
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal((await login(server.url, "ancien", GOOD, "203.0.113.221")).status, 200, "the new hash verifies");
  });

  it("refuses passwords shorter than passwords.minimum_length with 400 M_WEAK_PASSWORD", async () => {
    const reg = await post(server.url, `${C}/register`, { username: "courte", password: "123456789", auth: { type: "m.login.dummy" } });
    assert.deepEqual([reg.status, reg.body["errcode"]], [400, "M_WEAK_PASSWORD"]);
    assert.match(String(reg.body["error"]), /at least 10 characters/);

    const someone = await registerUser(server.url, "changeuse");
    const change = await post(server.url, `${C}/account/password`, { new_password: "short", auth: passwordAuth("changeuse", GOOD) },
      { Authorization: `Bearer ${someone.accessToken}` });
    assert.deepEqual([change.status, change.body["errcode"]], [400, "M_WEAK_PASSWORD"]);
    assert.equal((await login(server.url, "changeuse", GOOD, "203.0.113.230")).status, 200, "the password did not change");

    const { createHmac } = await import("node:crypto");
    const nonceRes = await fetch(`${server.url}/_synapse/admin/v1/register`);
    const nonce = ((await nonceRes.json()) as { nonce: string }).nonce;
    const mac = createHmac("sha1", "test-shared-secret").update(`${nonce}\0greffe\0short\0notadmin`).digest("hex");
    const admin = await post(server.url, "/_synapse/admin/v1/register", { nonce, username: "greffe", password: "short", admin: false, mac });
    assert.deepEqual([admin.status, admin.body["errcode"]], [400, "M_WEAK_PASSWORD"]);
  });
});
