import assert from "node:assert/strict";
import type { ITransport } from "matrix-widget-api";
import { messageBuffers, quietTransport } from "./quiet-transport.ts";

describe("widget kit: quiet transport", () => {
  it("posts to the transport's current origin without logging, transferring the answer's ArrayBuffers", () => {
    const posted: Array<[unknown, { targetOrigin: string; transfer: Transferable[] }]> = [];
    const t = { sendInternal: () => assert.fail("the library's logging send"), transportWindow: { postMessage: (m: unknown, o: { targetOrigin: string; transfer: Transferable[] }) => posted.push([m, o]) }, targetOrigin: "*" };
    quietTransport(t as unknown as ITransport);
    t.targetOrigin = "https://w.example";
    const bytes = new ArrayBuffer(8);
    (t.sendInternal as (m: unknown) => void)({ action: "a", response: { chunk: [], "fr.entente.chunk_json": bytes, next_batch: "n" } });
    assert.equal(posted.length, 1);
    assert.equal(posted[0]?.[1].targetOrigin, "https://w.example");
    assert.deepEqual(posted[0]?.[1].transfer, [bytes]);
  });

  it("finds buffers directly in data or response only, each once", () => {
    const b = new ArrayBuffer(1);
    assert.deepEqual(messageBuffers({ data: { x: b, y: b }, response: { z: new Uint8Array(2), deep: { b } } }), [b]);
    assert.deepEqual(messageBuffers(null), []);
    assert.deepEqual(messageBuffers({ data: "text" }), []);
  });
});
