import assert from "node:assert/strict";
import { hashPassword, verifyPassword, verifyAgainstDummy } from "./password-hash.ts";

describe("password-hash", () => {
  it("produces a self-describing scrypt string that verifies", async () => {
    const h = await hashPassword("correct horse");
    assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    assert.equal(await verifyPassword("correct horse", h), true);
    assert.equal(await verifyPassword("correct horsE", h), false);
  });

  it("salts: the same password hashes differently each time", async () => {
    const [a, b] = await Promise.all([hashPassword("pw"), hashPassword("pw")]);
    assert.notEqual(a, b);
  });

  it("honours the parameters stored in the hash", async () => {
    const h = await hashPassword("pw", { N: 1024, r: 4, p: 2 });
    assert.ok(h.startsWith("scrypt$1024$4$2$"));
    assert.equal(await verifyPassword("pw", h), true);
  });

  it("rejects malformed or abusive hashes without throwing", async () => {
    const good = await hashPassword("pw", { N: 1024, r: 8, p: 1 });
    const parts = good.split("$");
    for (const bad of [
      "", "plain", "bcrypt$2$3$4$5$6", parts.slice(0, 5).join("$"),
      ["scrypt", "1000", "8", "1", parts[4], parts[5]].join("$"), // N not a power of two
      ["scrypt", String(2 ** 24), "8", "1", parts[4], parts[5]].join("$"), // N too large
      ["scrypt", "1024", "8", "1", parts[4], "AAAA"].join("$"), // truncated key
    ]) {
      assert.equal(await verifyPassword("pw", bad), false, bad);
    }
  });

  it("normalises to NFC so composed and decomposed input match", async () => {
    const h = await hashPassword("caf\u00e9", { N: 1024, r: 8, p: 1 });
    assert.equal(await verifyPassword("cafe\u0301", h), true);
  });

  it("dummy verification always fails", async () => {
    assert.equal(await verifyAgainstDummy("anything"), false);
  });
});
