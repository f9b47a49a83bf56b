import assert from "node:assert/strict";
import { decodeBase64 } from "../spec/base64.ts";
import { canonicalJson } from "../spec/canonical-json.ts";
import type { JsonObject } from "./pdu.ts";
import {
  encodeSigningKeyFile,
  generateSigningKey,
  parseSigningKeyFile,
  publicKeyBase64,
  signJson,
  signingKeyFromSeed,
  verifyJsonSignature,
  type Signatures,
} from "./signing.ts";

// Spec appendix "Cryptographic test vectors" (vectors file section 3).
const SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
const PUBLIC = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI";
const key = signingKeyFromSeed("ed25519:1", decodeBase64(SEED));

describe("signing keys", () => {
  it("derives the spec key's public key", () => {
    assert.equal(publicKeyBase64(key), PUBLIC);
    assert.equal(key.keyId, "ed25519:1");
  });

  it("generates distinct valid keys", () => {
    const a = generateSigningKey("a_1");
    const b = generateSigningKey("a_1");
    assert.equal(a.keyId, "ed25519:a_1");
    assert.equal(a.seed.length, 32);
    assert.equal(a.publicKey.length, 32);
    assert.notDeepEqual(a.seed, b.seed);
    assert.deepEqual(signingKeyFromSeed(a.keyId, a.seed).publicKey, a.publicKey);
  });

  it("rejects bad versions and seeds", () => {
    assert.throws(() => generateSigningKey("a:b"));
    assert.throws(() => generateSigningKey(""));
    assert.throws(() => signingKeyFromSeed("ed25519:1", new Uint8Array(31)));
  });

  it("does not alias the caller's seed buffer", () => {
    const seed = decodeBase64(SEED);
    const k = signingKeyFromSeed("ed25519:1", seed);
    seed.fill(0);
    assert.equal(publicKeyBase64(signingKeyFromSeed("ed25519:1", k.seed)), PUBLIC);
  });
});

describe("signing key file", () => {
  it("writes Synapse's format", () => {
    // The spec's seed text ends in "1", which carries non-zero unused trailing bits; decoders
    // ignore them, so the canonical re-encoding ends in "0".
    assert.equal(encodeSigningKeyFile(key), "ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n");
  });

  it("round-trips, ignoring blank lines", () => {
    const other = generateSigningKey("b");
    const text = `\n${encodeSigningKeyFile(key)}\r\n${encodeSigningKeyFile(other)}`;
    const parsed = parseSigningKeyFile(text);
    assert.equal(parsed.length, 2);
    assert.equal(parsed[0]!.keyId, "ed25519:1");
    assert.equal(publicKeyBase64(parsed[0]!), PUBLIC);
    assert.deepEqual(parsed[1]!.seed, other.seed);
  });

  it("rejects malformed lines; an empty file has no keys", () => {
    for (const bad of ["ed25519 1", `rsa 1 ${SEED}`, `ed25519 1 ${SEED} extra`, "ed25519 1 !!!!", "ed25519 1 Zm9v"]) {
      assert.throws(() => parseSigningKeyFile(bad), Error, JSON.stringify(bad));
    }
    assert.deepEqual(parseSigningKeyFile("\n"), []);
  });
});

describe("signJson / verifyJsonSignature", () => {
  it("signs {} like the spec", () => {
    const signed = signJson({}, "domain", key);
    assert.equal(
      canonicalJson(signed),
      '{"signatures":{"domain":{"ed25519:1":"K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"}}}',
    );
  });

  it("signs the spec's example object", () => {
    const signed = signJson({ one: 1, two: "Two" }, "domain", key);
    assert.equal(
      canonicalJson(signed),
      '{"one":1,"signatures":{"domain":{"ed25519:1":"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"}},"two":"Two"}',
    );
    assert.ok(verifyJsonSignature(signed, "domain", "ed25519:1", key.publicKey));
  });

  it("ignores unsigned, keeps it, merges signatures and does not mutate its input", () => {
    const input: { one: number; two: string; unsigned: JsonObject; signatures: Signatures } = {
      one: 1, two: "Two", unsigned: { age_ts: 5 }, signatures: { other: { "ed25519:x": "abc" }, domain: { "ed25519:0": "old" } },
    };
    const before = structuredClone(input);
    const signed = signJson(input, "domain", key);
    assert.deepEqual(input, before);
    assert.deepEqual(signed.unsigned, { age_ts: 5 });
    assert.equal(signed.signatures["other"]!["ed25519:x"], "abc");
    assert.equal(signed.signatures["domain"]!["ed25519:0"], "old");
    assert.equal(signed.signatures["domain"]!["ed25519:1"], signJson({ one: 1, two: "Two" }, "domain", key).signatures["domain"]!["ed25519:1"]);
    assert.ok(verifyJsonSignature({ ...signed, unsigned: { changed: true } }, "domain", "ed25519:1", key.publicKey));
  });

  it("fails verification on tampering, wrong key, wrong server or bad encoding", () => {
    const signed = signJson({ one: 1 }, "domain", key);
    const sig = signed.signatures["domain"]!["ed25519:1"]!;
    const other = generateSigningKey("1");
    assert.equal(verifyJsonSignature({ ...signed, one: 2 }, "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyJsonSignature({ ...signed, extra: true }, "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyJsonSignature(signed, "domain", "ed25519:1", other.publicKey), false);
    assert.equal(verifyJsonSignature(signed, "elsewhere", "ed25519:1", key.publicKey), false);
    assert.equal(verifyJsonSignature(signed, "domain", "ed25519:2", key.publicKey), false);
    assert.equal(verifyJsonSignature({ one: 1 }, "domain", "ed25519:1", key.publicKey), false);
    const bad = (s: string): object => ({ one: 1, signatures: { domain: { "ed25519:1": s } } });
    assert.equal(verifyJsonSignature(bad("!!"), "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyJsonSignature(bad(sig.slice(4)), "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyJsonSignature({ ...signed, f: 1.5 }, "domain", "ed25519:1", key.publicKey), false);
    assert.equal(verifyJsonSignature(signed, "domain", "ed25519:1", new Uint8Array(31)), false);
  });

  it("accepts padded signatures", () => {
    const signed = signJson({ one: 1 }, "domain", key);
    const padded = { one: 1, signatures: { domain: { "ed25519:1": signed.signatures["domain"]!["ed25519:1"] + "==" } } };
    assert.ok(verifyJsonSignature(padded, "domain", "ed25519:1", key.publicKey));
  });
});
