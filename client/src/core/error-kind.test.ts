import { strict as assert } from "node:assert";
import { errorKind, maxUploadSize } from "./error-kind.ts";

const matrixError = (httpStatus: number, errcode: string, message: string): Error => Object.assign(new Error(message), { name: errcode, httpStatus, errcode });
const connectionError = (): Error => Object.assign(new Error("fetch failed"), { name: "ConnectionError" });

describe("client error kinds", () => {
  it("tells offline (no network) from a server that does not answer", () => {
    assert.equal(errorKind(connectionError(), false), "offline");
    assert.equal(errorKind(connectionError(), true), "unreachable");
    assert.equal(errorKind(new TypeError("Failed to fetch"), true), "unreachable");
    assert.equal(errorKind(Object.assign(new Error(""), { name: "AbortError" }), false), "offline", "the SDK's upload with XHR status 0");
    assert.equal(errorKind(matrixError(502, "M_UNKNOWN", "bad gateway"), true), "unreachable");
  });
  it("reads too large, quota and refusals from the server's answer", () => {
    assert.equal(errorKind(matrixError(413, "M_TOO_LARGE", "Upload exceeds the maximum size"), true), "too-large");
    assert.equal(errorKind(matrixError(403, "M_FORBIDDEN", "Upload exceeds your media quota"), true), "quota");
    assert.equal(errorKind(matrixError(403, "M_RESOURCE_LIMIT_EXCEEDED", "limit"), true), "quota");
    assert.equal(errorKind(matrixError(403, "M_FORBIDDEN", "You don't have permission"), true), "forbidden");
    assert.equal(errorKind(matrixError(400, "M_BAD_JSON", "x"), true), "other");
    assert.equal(errorKind("boom", true), "other");
    assert.equal(errorKind(new Error("something else"), false), "other");
  });
  it("reads m.upload.size from the media config, ignoring nonsense", () => {
    assert.equal(maxUploadSize({ "m.upload.size": 1048576 }), 1048576);
    assert.equal(maxUploadSize({}), undefined);
    assert.equal(maxUploadSize({ "m.upload.size": "big" }), undefined);
    assert.equal(maxUploadSize(null), undefined);
  });
});
