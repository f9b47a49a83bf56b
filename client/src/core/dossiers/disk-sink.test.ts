import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { partSpool } from "./disk-sink.ts";

describe("client dossiers: the part spool (verified bytes only, in order)", () => {
  it("gives back what was written, in order, across its in-memory and Blob halves; clear() forgets", async () => {
    const spool = partSpool(10);
    const chunks = [randomBytes(4), randomBytes(4), randomBytes(4), randomBytes(7), randomBytes(1)];
    for (const c of chunks) spool.write(new Uint8Array(c));
    const out: Uint8Array[] = [];
    const sink = new WritableStream<Uint8Array>({ write: (c) => void out.push(c) });
    const w = sink.getWriter();
    await spool.drainTo(w);
    assert.deepEqual(Buffer.concat(out), Buffer.concat(chunks));
    out.length = 0;
    spool.write(new Uint8Array([1, 2, 3]));
    spool.clear();
    spool.write(new Uint8Array([9]));
    await spool.drainTo(w);
    assert.deepEqual(Buffer.concat(out), Buffer.from([9]));
  });
});
