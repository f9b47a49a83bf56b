import assert from "node:assert/strict";
import { remoteClientError } from "./remote-errors.ts";
import { FederationError } from "./transport/federation-error.ts";

const http = (status: number, errcode?: string, retryAfterMs?: number): FederationError =>
  new FederationError("b.test", "http", "nope", { status, ...(errcode ? { errcode } : {}), ...(retryAfterMs ? { retryAfterMs } : {}) });

describe("remoteClientError", () => {
  it("passes a remote 4xx Matrix error through with its status and errcode", () => {
    const e = remoteClientError("b.test", http(400, "M_INCOMPATIBLE_ROOM_VERSION"));
    assert.deepEqual([e?.status, e?.errcode, e?.message], [400, "M_INCOMPATIBLE_ROOM_VERSION", "b.test: nope"]);
    assert.deepEqual(remoteClientError("b.test", http(429, "M_LIMIT_EXCEEDED", 1500))?.toJSON(), { errcode: "M_LIMIT_EXCEEDED", error: "b.test: nope", retry_after_ms: 1500 });
    assert.equal(remoteClientError("b.test", http(403, "M_FORBIDDEN"))?.status, 403);
  });

  it("keeps 401 (our signature), 5xx, non-spec errcodes and network failures out", () => {
    assert.equal(remoteClientError("b.test", http(401, "M_UNAUTHORIZED")), undefined);
    assert.equal(remoteClientError("b.test", http(500, "M_UNKNOWN")), undefined);
    assert.equal(remoteClientError("b.test", http(400)), undefined);
    assert.equal(remoteClientError("b.test", http(400, "com.example.custom")), undefined);
    assert.equal(remoteClientError("b.test", new FederationError("b.test", "network", "down")), undefined);
    assert.equal(remoteClientError("b.test", new Error("x")), undefined);
  });
});
