import { strict as assert } from "node:assert";
import { isExpectedSdkNoise, quietExpectedSdkNoise, type LoglevelLike } from "./sdk-log-filter.ts";

describe("matrix-js-sdk log filter", () => {
  it("drops the thread-timeline warning of synthesized receipts, and only it", () => {
    assert.equal(isExpectedSdkNoise(["Couldn't find timeline for thread ID $abc:x in room !r:x"]), true);
    assert.equal(isExpectedSdkNoise(["Couldn't find timeline for thread ID $abc in room !r", "extra"]), true);
    assert.equal(isExpectedSdkNoise(["Couldn't find timeline for event $abc"]), false);
    assert.equal(isExpectedSdkNoise(["prefix", "Couldn't find timeline for thread ID $a in room !r"]), false);
    assert.equal(isExpectedSdkNoise([new Error("Couldn't find timeline for thread ID $a in room !r")]), false);
    assert.equal(isExpectedSdkNoise([]), false);
  });

  it("wraps the logger's methods (rebuilt), passing other messages through with their `this`", () => {
    const seen: unknown[][] = [];
    const logger: LoglevelLike & { warn?: (...a: unknown[]) => void } = {
      methodFactory: (name) => function (this: unknown, ...args: unknown[]) { seen.push([name, this === logger, ...args]); },
      rebuild() { this.warn = this.methodFactory("warn", 1, "matrix"); },
    };
    quietExpectedSdkNoise(logger);
    logger.warn?.("Couldn't find timeline for thread ID $a in room !r");
    logger.warn?.("Real trouble", 42);
    assert.deepEqual(seen, [["warn", true, "Real trouble", 42]]);
  });
});
