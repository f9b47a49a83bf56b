// `node rss-probe.ts [MiB]`: streams MiB (default 1,024) of random-looking bytes through the
// Node backend's Matrix v2 encryption in a fresh process and prints, as one JSON line, the RSS
// growth overall and after the first 128 MiB, and whether the ciphertext hash matches. Run alone so
// that the figure is this stream's, not the garbage of whatever else shares the process (the test
// suite runs every file in one process: probe/run-probe.ts). Used by attachment-stream.test.ts.
import { createHash, randomBytes } from "node:crypto";
import { encryptingStream } from "./attachment-stream.ts";
import { nodeBackend } from "./node-backend.ts";
import { fromBase64 } from "./base64.ts";

const total = Number(process.argv[2] ?? "1024") * 1024 * 1024;
const chunk = randomBytes(1 << 20);
let sent = 0;
const source = new ReadableStream<Uint8Array>({
  pull(c) {
    if (sent >= total) return c.close();
    sent += chunk.length;
    c.enqueue(new Uint8Array(chunk));
  },
}, { highWaterMark: 2 });
const before = process.memoryUsage().rss;
let early = 0;
let peak = 0;
const enc = encryptingStream(nodeBackend);
const outHash = createHash("sha256");
let out = 0;
await source.pipeThrough(enc.stream).pipeTo(new WritableStream({
  write(c) {
    out += c.length;
    outHash.update(c);
    if (out % (16 << 20) === 0) {
      const rss = process.memoryUsage().rss;
      if (out <= 128 << 20) early = Math.max(early, rss);
      peak = Math.max(peak, rss);
    }
  },
}));
const info = await enc.info;
const hashOk = Buffer.from(fromBase64(info.hashes.sha256)!).toString("hex") === outHash.digest("hex");
process.stdout.write(JSON.stringify({ bytes: out, hashOk, growthMb: (peak - before) / 2 ** 20, lateMb: (peak - early) / 2 ** 20 }) + "\n");
