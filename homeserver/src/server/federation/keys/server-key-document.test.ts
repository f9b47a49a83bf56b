import assert from "node:assert/strict";
import { encodeBase64 } from "../../../spec/base64.ts";
import { generateSigningKey, signJson, verifyJsonSignature } from "../../../room/signing.ts";
import { buildServerKeyDocument, effectiveValidUntil, parseServerKeys, type ServerKeys } from "./server-key-document.ts";

const DAY = 24 * 3600_000;
const key = generateSigningKey("cur");
const oldKey = generateSigningKey("old");
const ours = { serverName: "a.example", current: key, old: [{ keyId: oldKey.keyId, key: encodeBase64(oldKey.publicKey), expiredTs: 5000 }] };

const parsed = (json: unknown, name = "a.example"): ServerKeys => {
  const r = parseServerKeys(json, name);
  assert.ok(typeof r !== "string", `refused: ${String(r)}`);
  return r;
};

describe("server key documents (https://spec.matrix.org/v1.16/server-server-api/#publishing-keys)", () => {
  it("builds ours: current key, old keys with expired_ts, a day of validity, self-signed", () => {
    const doc = buildServerKeyDocument(ours, 1_000_000);
    assert.deepEqual({ ...doc, signatures: undefined }, {
      server_name: "a.example",
      verify_keys: { "ed25519:cur": { key: encodeBase64(key.publicKey) } },
      old_verify_keys: { "ed25519:old": { key: encodeBase64(oldKey.publicKey), expired_ts: 5000 } },
      valid_until_ts: 1_000_000 + DAY,
      signatures: undefined,
    });
    assert.equal(verifyJsonSignature(doc, "a.example", "ed25519:cur", key.publicKey), true);
  });

  it("parses a valid document back into its keys", () => {
    const p = parsed(buildServerKeyDocument(ours, 0));
    assert.deepEqual([...p.verifyKeys.keys()], ["ed25519:cur"]);
    assert.deepEqual(p.verifyKeys.get("ed25519:cur"), key.publicKey);
    assert.deepEqual(p.oldVerifyKeys.get("ed25519:old"), { key: oldKey.publicKey, expiredTs: 5000 });
    assert.equal(p.validUntilTs, DAY);
  });

  it("keeps only the server's own signatures in the stored document", () => {
    const notarised = signJson(buildServerKeyDocument(ours, 0), "notary.example", generateSigningKey("n"));
    assert.deepEqual(Object.keys(parsed(notarised).document["signatures"] as object), ["a.example"]);
  });

  it("refuses a document for another server, unsigned, or signed by a key it does not list", () => {
    const doc = buildServerKeyDocument(ours, 0);
    assert.match(String(parseServerKeys(doc, "b.example")), /server_name is "a\.example", expected b\.example/);
    assert.match(String(parseServerKeys({ ...doc, signatures: {} }, "a.example")), /not signed by a\.example/);
    const byStranger = signJson({ ...doc, signatures: undefined }, "a.example", generateSigningKey("zz"));
    assert.match(String(parseServerKeys(byStranger, "a.example")), /not signed by any of its verify_keys/);
  });

  it("refuses a tampered document or a bad signature by a listed key", () => {
    const doc = buildServerKeyDocument(ours, 0);
    assert.match(String(parseServerKeys({ ...doc, valid_until_ts: 10 * DAY }, "a.example")), /bad signature by ed25519:cur/);
    const other = generateSigningKey("cur");
    const swapped = { ...doc, verify_keys: { "ed25519:cur": { key: encodeBase64(other.publicKey) } } };
    assert.match(String(parseServerKeys(swapped, "a.example")), /bad signature/);
  });

  it("refuses malformed keys and fields, ignoring other algorithms", () => {
    const sign = (d: Record<string, unknown>): unknown => signJson(d, "a.example", key);
    const base = { server_name: "a.example", valid_until_ts: 1, verify_keys: { "ed25519:cur": { key: encodeBase64(key.publicKey) } } };
    assert.ok(typeof parseServerKeys(sign({ ...base, verify_keys: { ...base.verify_keys, "curve25519:x": { key: "??" } } }), "a.example") !== "string");
    assert.match(String(parseServerKeys({ ...(sign(base) as object), valid_until_ts: 1.5 }, "a.example")), /valid_until_ts/);
    assert.match(String(parseServerKeys(sign({ ...base, verify_keys: { "ed25519:cur": { key: "AAAA" } } }), "a.example")), /bad key ed25519:cur/);
    assert.match(String(parseServerKeys(sign({ ...base, old_verify_keys: { "ed25519:o": { key: encodeBase64(key.publicKey) } } }), "a.example")), /expired_ts of ed25519:o/);
    assert.match(String(parseServerKeys([], "a.example")), /not a JSON object/);
  });

  it("caps validity at 7 days after fetching", () => {
    assert.equal(effectiveValidUntil(100 * DAY, DAY), 8 * DAY);
    assert.equal(effectiveValidUntil(2 * DAY, DAY), 2 * DAY);
  });
});
