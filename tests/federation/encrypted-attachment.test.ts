// Issue 5 acceptance: an encrypted 200 MB attachment (AES-CTR, as the spec's attachment
// encryption) uploaded by Alice on council A is downloaded by Bob on council B over federation,
// decrypted, and is byte-identical. Everything streams: nothing holds the file in memory.
import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { hashing, randomSource, uploadStream, downloadStream } from "../harness/streams.ts";

const SIZE = 200 * 1024 * 1024;

describe("encrypted 200 MB attachment across councils", function () {
  this.timeout(300_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("is downloaded over federation, decrypted and byte-identical", async () => {
    fed = await startFederation(["a.test", "b.test"]);
    const a = fed.get("a.test").url;
    const b = fed.get("b.test").url;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    // https://spec.matrix.org/v1.16/client-server-api/#sending-encrypted-attachments: AES-256-CTR,
    // a 128-bit IV whose low 64 bits (the counter) start at zero
    const key = randomBytes(32);
    const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
    const plain = hashing();
    const cipherHash = hashing();
    const mxc = await uploadStream(a, alice.accessToken, randomSource(SIZE).pipe(plain).pipe(createCipheriv("aes-256-ctr", key, iv)).pipe(cipherHash));
    const [, server, mediaId] = /^mxc:\/\/([^/]+)\/(.+)$/.exec(mxc) ?? [];
    assert.equal(server, "a.test");
    const rssBefore = process.memoryUsage().rss;
    const gotCipher = hashing();
    const gotPlain = hashing();
    const bytes = await downloadStream(`${b}/_matrix/client/v1/media/download/a.test/${mediaId}`, bob.accessToken, gotCipher, createDecipheriv("aes-256-ctr", key, iv), gotPlain);
    const grewMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert.equal(bytes, SIZE);
    assert.equal(gotCipher.digest(), cipherHash.digest(), "ciphertext sha256 (the file info's hashes.sha256)");
    assert.equal(gotPlain.digest(), plain.digest(), "decrypted file is byte-identical");
    assert.ok(grewMb < 100, `memory grew by ${grewMb.toFixed(0)} MB for a 200 MB transfer`);
  });
});
