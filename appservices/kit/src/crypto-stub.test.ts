// The root package.json `overrides` replace the bot SDK's native crypto by appservices/stubs/
// (see appservices/README.md). These checks fail if a lockfile change brings the real package back
// or breaks the link (npm once resolved a nested `file:` override against the wrong folder).
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const STUB_DIR = realpathSync(fileURLToPath(new URL("../../stubs/matrix-sdk-crypto-nodejs/", import.meta.url)));
// Resolve the way the bot SDK does, from its own folder.
const fromBotSdk = createRequire(createRequire(import.meta.url).resolve("@vector-im/matrix-bot-sdk"));

describe("native crypto stub", () => {
  it("is what the bot SDK gets for @matrix-org/matrix-sdk-crypto-nodejs", () => {
    const resolved = realpathSync(fromBotSdk.resolve("@matrix-org/matrix-sdk-crypto-nodejs"));
    assert.equal(resolved, `${STUB_DIR}/index.js`);
  });

  it("lets matrix-appservice-bridge load, and throws if the crypto is ever used", async () => {
    const bridge = await import("matrix-appservice-bridge");
    assert.equal(typeof bridge.Bridge, "function");
    const crypto = fromBotSdk("@matrix-org/matrix-sdk-crypto-nodejs") as Record<string, unknown>;
    const OlmMachine = crypto["OlmMachine"] as new () => unknown;
    assert.throws(() => new OlmMachine(), /OlmMachine: native crypto is not available in Entente: bots use matrix-js-sdk's WebAssembly crypto/);
    assert.deepEqual(crypto["RequestType"], { KeysUpload: 0, KeysQuery: 1, KeysClaim: 2, ToDevice: 3, SignatureUpload: 4, RoomMessage: 5, KeysBackup: 6 });
  });
});
