import { strict as assert } from "node:assert";
import { isExpectedSdkNoise, quietSdkConsole, type LoglevelLike } from "./sdk-log-filter.ts";

describe("matrix-js-sdk log filter", () => {
  it("drops the thread-timeline warning of synthesized receipts and the SDK's unstable push-rule copies, and only them", () => {
    assert.equal(isExpectedSdkNoise(["Couldn't find timeline for thread ID $abc:x in room !r:x"]), true);
    assert.equal(isExpectedSdkNoise(["Couldn't find timeline for thread ID $abc in room !r", "extra"]), true);
    assert.equal(isExpectedSdkNoise(["Couldn't find timeline for event $abc"]), false);
    assert.equal(isExpectedSdkNoise(["prefix", "Couldn't find timeline for thread ID $a in room !r"]), false);
    assert.equal(isExpectedSdkNoise([new Error("Couldn't find timeline for thread ID $a in room !r")]), false);
    assert.equal(isExpectedSdkNoise([]), false);
    assert.equal(isExpectedSdkNoise(["Adding default global override push rule .org.matrix.msc3786.rule.room.server_acl"]), true);
    assert.equal(isExpectedSdkNoise(["Adding default global underride push rule .org.matrix.msc3914.rule.room.call"]), true);
    // A spec rule the server forgot is a real warning.
    assert.equal(isExpectedSdkNoise(["Adding default global override push rule .m.rule.reaction"]), false);
    assert.equal(isExpectedSdkNoise(["Missing default global override push rule .m.rule.master"]), false);
  });

  const fakeLogger = (seen: unknown[][]): LoglevelLike & Record<string, unknown> => {
    const logger: LoglevelLike & Record<string, unknown> = {
      methodFactory: (name) => function (this: unknown, ...args: unknown[]) { seen.push([name, this === logger, ...args]); },
      rebuild() { for (const m of ["debug", "info", "warn", "error"]) this[m] = this.methodFactory(m, 1, "matrix"); },
    };
    return logger;
  };
  const call = (l: Record<string, unknown>, m: string, ...args: unknown[]): void => (l[m] as (...a: unknown[]) => void)(...args);

  it("keeps warn and error only, other messages through with their `this`", () => {
    const seen: unknown[][] = [];
    const logger = fakeLogger(seen);
    quietSdkConsole(logger, false);
    call(logger, "debug", "Got remote echo");
    call(logger, "info", "sync state");
    call(logger, "warn", "Couldn't find timeline for thread ID $a in room !r");
    call(logger, "warn", "Real trouble", 42);
    call(logger, "error", "Adding default global underride push rule .org.matrix.msc3914.rule.room.call");
    call(logger, "error", "Broken");
    assert.deepEqual(seen, [["warn", true, "Real trouble", 42], ["error", true, "Broken"]]);
  });

  it("keeps the chatter in a developer's build, still without the expected warnings", () => {
    const seen: unknown[][] = [];
    const logger = fakeLogger(seen);
    quietSdkConsole(logger, true);
    call(logger, "debug", "Got remote echo");
    call(logger, "warn", "Couldn't find timeline for thread ID $a in room !r");
    assert.deepEqual(seen, [["debug", true, "Got remote echo"]]);
  });
});
