import { strict as assert } from "node:assert";
import { notSentKind } from "./send-queue.ts";

describe("client send queue", () => {
  it("keeps sends that found no server waiting, and marks refused ones failed", () => {
    assert.equal(notSentKind(Object.assign(new Error("fetch failed"), { name: "ConnectionError" })), "queued");
    assert.equal(notSentKind(undefined), "queued", "blocked behind an earlier unsent event");
    assert.equal(notSentKind({ httpStatus: 429, errcode: "M_LIMIT_EXCEEDED" }), "queued");
    assert.equal(notSentKind({ httpStatus: 502 }), "queued");
    assert.equal(notSentKind({ httpStatus: 413, errcode: "M_TOO_LARGE" }), "failed");
    assert.equal(notSentKind({ httpStatus: 403, errcode: "M_FORBIDDEN" }), "failed");
  });
});
