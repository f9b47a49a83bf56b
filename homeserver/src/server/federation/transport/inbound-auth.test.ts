import assert from "node:assert/strict";
import { generateSigningKey, type SigningKey } from "../../../room/signing.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { checkFederationPolicy, verifyFederationRequest, type InboundRequest, type VerifyKeySource } from "./inbound-auth.ts";
import { requestSignatureValid, signRequest, type RequestToSign } from "./signed-request.ts";

// Two independent servers, each with its own key set.
const keyA = generateSigningKey("a1");
const keyB = generateSigningKey("b1");
const published = new Map<string, Map<string, Uint8Array>>([
  ["a.example", new Map([[keyA.keyId, keyA.publicKey]])],
  ["b.example", new Map([[keyB.keyId, keyB.publicKey]])],
]);
const keyRing: VerifyKeySource & { asked: string[] } = {
  asked: [],
  async getVerifyKey(serverName, keyId) {
    this.asked.push(`${serverName} ${keyId}`);
    return published.get(serverName)?.get(keyId);
  },
};

const base: RequestToSign = { method: "PUT", uri: "/_matrix/federation/v1/send/1?x=y", origin: "a.example", destination: "me.example", content: { pdus: [] } };

function inbound(r: RequestToSign, key: SigningKey, headers: Record<string, string> = {}): InboundRequest {
  return { method: r.method, url: r.uri, headers: { authorization: signRequest(r, key), "content-length": "12", ...headers } };
}

async function rejection(p: Promise<unknown>): Promise<[number, string, string]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MatrixError, String(e));
    return [e.status, e.errcode, e.message];
  }
  assert.fail("expected a rejection");
}

const verify = (req: InboundRequest, body: unknown, policy = { allowList: [] as string[], denyList: [] as string[] }) =>
  verifyFederationRequest(req, body, "me.example", keyRing, { now: 1000, policy });

describe("request signatures", () => {
  it("verify with the signer's key only", () => {
    const sig = /sig="([^"]+)"/.exec(signRequest(base, keyA))?.[1] ?? "";
    assert.equal(requestSignatureValid(base, keyA.keyId, sig, keyA.publicKey), true);
    assert.equal(requestSignatureValid(base, keyA.keyId, sig, keyB.publicKey), false);
    assert.equal(requestSignatureValid({ ...base, uri: "/_matrix/federation/v1/send/2" }, keyA.keyId, sig, keyA.publicKey), false);
    assert.equal(requestSignatureValid({ ...base, method: "POST" }, keyA.keyId, sig, keyA.publicKey), false);
    assert.equal(requestSignatureValid({ ...base, content: undefined }, keyA.keyId, sig, keyA.publicKey), false);
  });
});

describe("verifyFederationRequest", () => {
  it("returns the origin of a correctly signed request, from either server", async () => {
    assert.deepEqual(await verify(inbound(base, keyA), base.content), { origin: "a.example", keyId: keyA.keyId });
    const fromB = { ...base, origin: "b.example" };
    assert.deepEqual(await verify(inbound(fromB, keyB), base.content), { origin: "b.example", keyId: keyB.keyId });
  });

  it("refuses a signature by the other server's key (unknown key id for that origin)", async () => {
    const forged = { ...base, origin: "b.example" };
    const [status, errcode, message] = await rejection(verify(inbound(forged, keyA), base.content));
    assert.deepEqual([status, errcode], [401, "M_UNAUTHORIZED"]);
    assert.match(message, /No valid key ed25519:a1 known for b\.example/);
  });

  it("refuses a request for another destination", async () => {
    const other = { ...base, destination: "other.example" };
    assert.deepEqual((await rejection(verify(inbound(other, keyA), base.content))).slice(0, 2), [401, "M_UNAUTHORIZED"]);
  });

  it("refuses a tampered body, method or path", async () => {
    const req = inbound(base, keyA);
    assert.match((await rejection(verify(req, { pdus: [1] })))[2], /Invalid X-Matrix signature/);
    assert.equal((await rejection(verify({ ...req, method: "POST" }, base.content)))[0], 401);
    assert.equal((await rejection(verify({ ...req, url: "/_matrix/federation/v1/send/1?x=z" }, base.content)))[0], 401);
  });

  it("refuses missing or malformed headers and odd key ids", async () => {
    assert.match((await rejection(verify({ method: "GET", url: "/", headers: {} }, undefined)))[2], /Missing X-Matrix/);
    assert.match((await rejection(verify({ method: "GET", url: "/", headers: { authorization: "Bearer x" } }, undefined)))[2], /Malformed/);
    const bad = { method: "GET", url: "/", headers: { authorization: 'X-Matrix origin="a.example",key="rsa:1",sig="x"' } };
    assert.match((await rejection(verify(bad, undefined)))[2], /Unsupported key rsa:1/);
  });

  it("accepts a request without destination (servers before v1.3), as signed for us", async () => {
    const header = signRequest(base, keyA).replace(',destination="me.example"', "");
    assert.deepEqual(await verify({ method: "PUT", url: base.uri, headers: { authorization: header } }, base.content), { origin: "a.example", keyId: keyA.keyId });
  });

  it("accepts an empty PUT signed without content (the HTTP layer parsed it as {})", async () => {
    const empty = { ...base, content: undefined };
    assert.deepEqual(await verify(inbound(empty, keyA, { "content-length": "0" }), {}), { origin: "a.example", keyId: keyA.keyId });
    // With a real body, {} must have been signed.
    assert.equal((await rejection(verify(inbound(empty, keyA), {})))[0], 401);
  });

  it("refuses a denied origin with 403 before fetching any key", async () => {
    keyRing.asked = [];
    const [status, errcode, message] = await rejection(verify(inbound(base, keyA), base.content, { allowList: [], denyList: ["a.example"] }));
    assert.deepEqual([status, errcode, message], [403, "M_FORBIDDEN", "Federation with a.example is not allowed"]);
    assert.deepEqual(keyRing.asked, []);
    assert.equal((await rejection(verify(inbound(base, keyA), base.content, { allowList: ["b.example"], denyList: [] })))[0], 403);
  });
});

describe("checkFederationPolicy", () => {
  it("allows everyone by default, only the allow list when given, never the deny list", () => {
    assert.doesNotThrow(() => checkFederationPolicy("x.example", { allowList: [], denyList: [] }));
    assert.throws(() => checkFederationPolicy("x.example", { allowList: ["y.example"], denyList: [] }), { errcode: "M_FORBIDDEN" });
    assert.throws(() => checkFederationPolicy("x.example", { allowList: [], denyList: ["x.example"] }), { status: 403 });
    assert.throws(() => checkFederationPolicy("x.example:8448", { allowList: ["x.example"], denyList: [] }), { status: 403 });
  });
});
