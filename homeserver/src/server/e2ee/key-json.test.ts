import assert from "node:assert/strict";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { canonicalJson } from "../../spec/canonical-json.ts";
import { encodeBase64 } from "../../spec/base64.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import { decodeBase64 } from "../../spec/base64.ts";
import { parseCrossSigningKey, parseDeviceKeys, parseOneTimeKeys, sameSignedContent, signedByKey } from "./key-json.ts";

const ALICE = "@alice:test.local";
const DEVICE = "ALICEDEV";

interface Ed {
  pub: string;
  priv: KeyObject;
}
function ed(): Ed {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
  return { pub: encodeBase64(raw), priv: privateKey };
}
function signed<T extends Record<string, unknown>>(obj: T, userId: string, keyId: string, key: Ed): T {
  const { signatures, unsigned: _u, ...rest } = obj as Record<string, unknown>;
  const sig = encodeBase64(sign(null, Buffer.from(canonicalJson(rest)), key.priv));
  const prev = (signatures ?? {}) as Record<string, Record<string, string>>;
  return { ...obj, signatures: { ...prev, [userId]: { ...prev[userId], [keyId]: sig } } };
}
function deviceKeys(key: Ed, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    user_id: ALICE, device_id: DEVICE, algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
    keys: { [`ed25519:${DEVICE}`]: key.pub, [`curve25519:${DEVICE}`]: ed().pub }, ...extra,
  };
}
const errcodeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MatrixError, String(err));
    return err.errcode;
  }
  assert.fail("expected a MatrixError");
};

describe("e2ee key objects", () => {
  const key = ed();

  it("accepts self-signed device keys and returns the signing key", () => {
    const parsed = parseDeviceKeys(signed(deviceKeys(key), ALICE, `ed25519:${DEVICE}`, key), ALICE, DEVICE);
    assert.equal(encodeBase64(parsed.ed25519), key.pub);
  });

  it("rejects device keys signed by another key, unsigned, or tampered with", () => {
    const other = ed();
    assert.equal(errcodeOf(() => parseDeviceKeys(signed(deviceKeys(key), ALICE, `ed25519:${DEVICE}`, other), ALICE, DEVICE)), "M_INVALID_SIGNATURE");
    assert.equal(errcodeOf(() => parseDeviceKeys(deviceKeys(key), ALICE, DEVICE)), "M_INVALID_SIGNATURE");
    const good = signed(deviceKeys(key), ALICE, `ed25519:${DEVICE}`, key);
    assert.equal(errcodeOf(() => parseDeviceKeys({ ...good, algorithms: ["m.megolm.v1.aes-sha2"] }, ALICE, DEVICE)), "M_INVALID_SIGNATURE");
  });

  it("rejects device keys for another user or device, and malformed keys", () => {
    const good = signed(deviceKeys(key), ALICE, `ed25519:${DEVICE}`, key);
    assert.equal(errcodeOf(() => parseDeviceKeys(good, "@bob:test.local", DEVICE)), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseDeviceKeys(good, ALICE, "OTHER")), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseDeviceKeys({ ...good, keys: { [`ed25519:${DEVICE}`]: "not base64!" } }, ALICE, DEVICE)), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseDeviceKeys({ ...good, keys: { [`ed25519:${DEVICE}`]: "AAAA" } }, ALICE, DEVICE)), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseDeviceKeys({ ...good, keys: { [`curve25519:${DEVICE}`]: key.pub } }, ALICE, DEVICE)), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseDeviceKeys({ ...good, algorithms: "x" }, ALICE, DEVICE)), "M_BAD_JSON");
    assert.equal(errcodeOf(() => parseDeviceKeys({ ...good, extra: 1.5 }, ALICE, DEVICE)), "M_BAD_JSON");
    assert.equal(errcodeOf(() => parseDeviceKeys([], ALICE, DEVICE)), "M_BAD_JSON");
  });

  it("checks signed one-time keys against the device key", () => {
    const who = { userId: ALICE, deviceId: DEVICE };
    const otk = signed({ key: ed().pub }, ALICE, `ed25519:${DEVICE}`, key);
    const keys = parseOneTimeKeys({ "signed_curve25519:AAAAAQ": otk }, "one_time_keys", who, decodeBase64(key.pub));
    assert.deepEqual(keys, [{ algorithm: "signed_curve25519", keyId: "signed_curve25519:AAAAAQ", key: otk }]);
    assert.equal(errcodeOf(() => parseOneTimeKeys({ "signed_curve25519:A": signed({ key: ed().pub }, ALICE, `ed25519:${DEVICE}`, ed()) }, "one_time_keys", who, decodeBase64(key.pub))), "M_INVALID_SIGNATURE");
    assert.equal(errcodeOf(() => parseOneTimeKeys({ "signed_curve25519:A": otk }, "one_time_keys", who, undefined)), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseOneTimeKeys({ "signed_curve25519:A": "bare" }, "one_time_keys", who, decodeBase64(key.pub))), "M_BAD_JSON");
    assert.equal(errcodeOf(() => parseOneTimeKeys({ nocolon: otk }, "one_time_keys", who, decodeBase64(key.pub))), "M_INVALID_PARAM");
  });

  it("allows one fallback key per algorithm", () => {
    const who = { userId: ALICE, deviceId: DEVICE };
    const fb = (): Record<string, unknown> => signed({ key: ed().pub, fallback: true }, ALICE, `ed25519:${DEVICE}`, key);
    assert.equal(parseOneTimeKeys({ "signed_curve25519:F1": fb() }, "fallback_keys", who, decodeBase64(key.pub)).length, 1);
    assert.equal(errcodeOf(() => parseOneTimeKeys({ "signed_curve25519:F1": fb(), "signed_curve25519:F2": fb() }, "fallback_keys", who, decodeBase64(key.pub))), "M_INVALID_PARAM");
  });

  it("parses cross-signing keys and checks signatures by the master key", () => {
    const master = ed();
    const ssk = ed();
    const masterJson = { user_id: ALICE, usage: ["master"], keys: { [`ed25519:${master.pub}`]: master.pub } };
    const parsed = parseCrossSigningKey(masterJson, "master_key", ALICE, "master");
    assert.equal(parsed.publicKey, master.pub);
    const sskJson = signed({ user_id: ALICE, usage: ["self_signing"], keys: { [`ed25519:${ssk.pub}`]: ssk.pub } }, ALICE, `ed25519:${master.pub}`, master);
    assert.ok(signedByKey(parseCrossSigningKey(sskJson, "self_signing_key", ALICE, "self_signing").json, ALICE, master.pub));
    assert.ok(!signedByKey(sskJson, ALICE, ssk.pub));
    assert.equal(errcodeOf(() => parseCrossSigningKey(masterJson, "master_key", ALICE, "self_signing")), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseCrossSigningKey({ ...masterJson, keys: { "ed25519:abc": master.pub } }, "master_key", ALICE, "master")), "M_INVALID_PARAM");
    assert.equal(errcodeOf(() => parseCrossSigningKey({ ...masterJson, user_id: "@bob:test.local" }, "master_key", ALICE, "master")), "M_INVALID_PARAM");
  });

  it("compares keys without their signatures", () => {
    const a = deviceKeys(key);
    assert.ok(sameSignedContent(a, signed(a, ALICE, `ed25519:${DEVICE}`, key)));
    assert.ok(!sameSignedContent(a, { ...a, device_id: "X" }));
  });
});
