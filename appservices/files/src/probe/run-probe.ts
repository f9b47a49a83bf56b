// Runs a probe script in a fresh Node process and gives back the JSON line it prints last. Memory
// figures (RSS, ArrayBuffers) taken inside the test suite's one shared process count every other
// test's garbage too (CI: 99.5 MB of late RSS growth for an encrypting stream that grows 0-34 MB
// alone, 81 MiB of ArrayBuffers for a PUT that holds a few MiB), so such tests measure in a probe:
// attachments/rss-probe.ts, chunked/put-probe.ts.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ProbeOptions {
  /** Arguments after the script. */
  args?: readonly string[];
  /** Node's own flags (before the script), e.g. --expose-gc. */
  nodeArgs?: readonly string[];
  timeoutMs?: number;
}

/** The probe's last stdout line, parsed; rejects with its stderr if it exits other than 0. */
export function runProbe<T>(script: URL, o: ProbeOptions = {}): Promise<T> {
  const argv = [...(o.nodeArgs ?? []), fileURLToPath(script), ...(o.args ?? [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { encoding: "utf8", timeout: o.timeoutMs ?? 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`probe ${fileURLToPath(script)} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as T);
      } catch (e) {
        reject(new Error(`probe ${fileURLToPath(script)} printed no JSON line: ${stdout.slice(-500)}`, { cause: e }));
      }
    });
  });
}
