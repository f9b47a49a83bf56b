import assert from "node:assert/strict";
import { randomBytes, scryptSync } from "node:crypto";
import { DEFAULT_ARGON2, hashPassword, needsRehash, verifyPassword, verifyAgainstDummy } from "./password-hash.ts";

const CHEAP = { m: 1024, t: 1, p: 1 };

/** A hash in the format of the first versions (scrypt N=2^14), as still stored for old accounts. */
function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFC"), salt, 32, { N: 2 ** 14, r: 8, p: 1 });
  return ["scrypt", 2 ** 14, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
}

describe("password-hash", () => {
  it("produces a PHC argon2id string at OWASP's parameters that verifies", async () => {
    assert.deepEqual(DEFAULT_ARGON2, { m: 19456, t: 2, p: 1 });
    const h = await hashPassword("correct horse");
    assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await verifyPassword("correct horse", h), true);
    assert.equal(await verifyPassword("correct horsE", h), false);
    assert.equal(needsRehash(h), false);
  });

  it("salts: the same password hashes differently each time", async () => {
    const [a, b] = await Promise.all([hashPassword("pw", CHEAP), hashPassword("pw", CHEAP)]);
    assert.notEqual(a, b);
  });

  it("honours the parameters stored in the hash, and asks for a re-hash when they are not the current ones", async () => {
    const h = await hashPassword("pw", { m: 2048, t: 3, p: 2 });
    assert.ok(h.startsWith("$argon2id$v=19$m=2048,t=3,p=2$"));
    assert.equal(await verifyPassword("pw", h), true);
    assert.equal(needsRehash(h), true);
    assert.equal(needsRehash(h, { m: 2048, t: 3, p: 2 }), false);
  });

  it("still verifies the scrypt hashes of earlier versions, which need a re-hash", async () => {
    const old = legacyScryptHash("caf\u00e9 au lait");
    assert.equal(await verifyPassword("caf\u00e9 au lait", old), true);
    assert.equal(await verifyPassword("cafe au lait", old), false);
    assert.equal(needsRehash(old), true);
  });

  it("rejects malformed or abusive hashes without throwing", async () => {
    const good = await hashPassword("pw", CHEAP);
    const parts = good.split("$"); // ["", "argon2id", "v=19", "m=..", salt, key]
    const old = legacyScryptHash("pw").split("$");
    for (const bad of [
      "", "plain", "bcrypt$2$3$4$5$6", parts.slice(0, 5).join("$"),
      ["", "argon2id", "v=16", parts[3], parts[4], parts[5]].join("$"), // unknown version
      ["", "argon2i", parts[2], parts[3], parts[4], parts[5]].join("$"), // not argon2id
      ["", "argon2id", parts[2], "m=4194304,t=2,p=1", parts[4], parts[5]].join("$"), // 4 GiB of memory
      ["", "argon2id", parts[2], "m=1024,t=1000,p=1", parts[4], parts[5]].join("$"), // too many passes
      ["", "argon2id", parts[2], parts[3], parts[4], "AAAA"].join("$"), // truncated key
      ["scrypt", "1000", "8", "1", old[4], old[5]].join("$"), // N not a power of two
      ["scrypt", String(2 ** 24), "8", "1", old[4], old[5]].join("$"), // N too large
    ]) {
      assert.equal(await verifyPassword("pw", bad), false, bad);
    }
  });

  it("normalises to NFC so composed and decomposed input match", async () => {
    const h = await hashPassword("caf\u00e9", CHEAP);
    assert.equal(await verifyPassword("cafe\u0301", h), true);
  });

  it("dummy verification always fails", async () => {
    assert.equal(await verifyAgainstDummy("anything"), false);
  });
});
