// Issue 15 acceptance: "A 4 GiB file through the streaming encryption and chunked upload between
// two councils, with the upload interrupted and resumed; peak memory of the client process and
// both homeservers recorded." The scenario is tests/harness/dossier-4gib.ts: the agent's client is
// its own Node process (a seeded 4 GiB file written to disk and hashed on the way, uploaded in
// 256 MiB encrypted parts), council A's homeserver is SIGKILLed in the middle of a part and
// restarted, the upload resumes from its state file, B's agent downloads over federation to disk.
// About 16 GiB go to one temp folder (source, both media stores, download), removed in `after`.
// Memory: only a generous bound is asserted (far below the file); the figures are printed.
// Duration: 14.5 min at load average ≈ 20 on the 2-core machine (2 min of CPU across the processes
// for ~16 GiB written and ~10 hashing/cipher passes): over the ~3 minutes wanted; see the report.
import { strict as assert } from "node:assert";
import { FourGibTransfer, type FourGibReport } from "../harness/dossier-4gib.ts";

const MiB = 1024 * 1024;
const SIZE = 4096 * MiB;
const PART = 256 * MiB;

describe("dossiers: 4 GiB encrypted file between two councils, upload interrupted and resumed", function () {
  this.timeout(1_800_000);
  const transfer = new FourGibTransfer({ size: SIZE, partSize: PART, killAfterBytes: 6 * PART + PART / 2 });
  after(() => transfer.dispose());

  it("4 GiB: A's homeserver killed mid-part, only the missing parts re-sent, byte-identical download at B, peak RSS printed", async () => {
    const r: FourGibReport = await transfer.run();
    const rounded = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
    process.stdout.write(`      ${JSON.stringify({
      parts: r.parts, acknowledgedBeforeKill: r.firstRun.acknowledged, putAfterRestart: r.resumedPutParts, durationsMs: rounded(r.durationsMs),
      memoryMb: Object.fromEntries(Object.entries(r.memory).map(([k, m]) => [k, { base: Math.round(m.baseMb), peak: Math.round(m.peakMb) }])),
      phasePeaksMb: rounded(r.phasePeaksMb),
    })}\n`);

    assert.equal(r.parts, 16);
    // the kill cut a part: the first run paused with some parts acknowledged, not all
    assert.equal(r.firstRun.phase, "paused");
    assert.ok(r.firstRun.sentAtKill % PART !== 0, `A killed at ${r.firstRun.sentAtKill} bytes`);
    const acked = r.firstRun.acknowledged;
    assert.ok(acked.length >= 6 && acked.length < 16, `acknowledged before the kill: ${acked.join()}`);
    // resumed: exactly the missing parts, none acknowledged before; only the part cut by the kill
    // may be tried more than once (its id left claimed by the killed server, or the restarted
    // server refusing a first attempt while it starts), a few times at most
    const missing = [...Array(16).keys()].filter((i) => !acked.includes(i));
    assert.deepEqual([...new Set(r.resumedPutParts)], missing);
    const first = missing[0];
    assert.deepEqual(r.resumedPutParts.filter((p, i, all) => p !== first && all.indexOf(p) !== i), [], r.resumedPutParts.join());
    assert.ok(r.resumedPutParts.filter((p) => p === first).length <= 3, r.resumedPutParts.join());

    assert.equal(r.downloadedBytes, SIZE);
    assert.equal(r.downloadedSha256, r.expectedSha256);

    // Streamed end to end: the file is 4,295 MB. Generous bounds (RSS follows the garbage collector):
    // peaks seen on a 4 GiB run: client 160 MB, A 132 MB, B 180 MB. Before nodeMediaTransport the
    // client's PUT held a whole 256 MiB part (≈ 370–430 MB peaks on 1 GiB runs).
    assert.ok(r.memory.client.peakMb < 400, `client peak ${r.memory.client.peakMb.toFixed(0)} MB`);
    assert.ok(r.memory.homeserverA.peakMb < 400, `homeserver A peak ${r.memory.homeserverA.peakMb.toFixed(0)} MB`);
    assert.ok(r.memory.homeserverB.peakMb < 400, `homeserver B peak ${r.memory.homeserverB.peakMb.toFixed(0)} MB`);
  });
});
