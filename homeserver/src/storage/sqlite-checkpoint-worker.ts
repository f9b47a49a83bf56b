// The SQLite checkpointer's thread (started by sqlite-checkpointer.ts): its own connection to the
// database, PASSIVE checkpoints when the writer signals commits. A PASSIVE checkpoint copies the
// WAL frames no reader still needs into the database file and fsyncs it, without taking the
// writer's lock: the writer's COMMITs go on meanwhile (they append to the WAL). Once every frame
// is copied, the writer's next transaction starts the WAL again from its beginning (SQLite does
// that itself). Crash-safe at any point: that is SQLite's own checkpoint; nothing else is written.
//
// The shared Int32Array (slots in sqlite-checkpoint-shared.ts): the writer adds to PENDING after
// each COMMIT and wakes this thread when it was 0. The thread then waits `gatherMs` more, reads
// how many WAL frames are not yet in the database file (the wal-index header in the -shm file:
// mxFrame at byte 16 minus nBackfill at byte 96, https://www.sqlite.org/walformat.html) and
// checkpoints once they reach `checkpointFrames` (1,000 by default, as often as the writer itself
// did: a checkpoint every second made one database fsync per second, and the lone messages' WAL
// fsyncs waited behind them). No commit for `idleMs`: a last checkpoint and the thread ends (the
// writer checkpoints by itself again, every 1,000 pages, until the next burst starts a thread).
//
// Plain JavaScript run with `eval`: a worker loading a .ts file loads Node's type stripper in its
// isolate too, +36 MB of RSS against +14–19 MB for this (measured, docs/perf/speed-5.md).
import { CKPT } from "./sqlite-checkpoint-shared.ts";

export const CHECKPOINT_WORKER_SOURCE = `
"use strict";
const { workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
const { openSync, readSync } = require("node:fs");
const { path, shared, gatherMs, idleMs, restartFrames, checkpointFrames } = workerData;
const PENDING = ${CKPT.PENDING}, STOP = ${CKPT.STOP}, CHECKPOINTS = ${CKPT.CHECKPOINTS}, LOG = ${CKPT.LOG},
  BACKFILLED = ${CKPT.BACKFILLED}, ERRORS = ${CKPT.ERRORS}, RESTARTS = ${CKPT.RESTARTS};
const sh = new Int32Array(shared);
const db = new DatabaseSync(path);
// PASSIVE never waits for a lock; a checkpoint does not use the page cache (frames go from the
// WAL file to the database file through a one-page buffer)
db.exec("PRAGMA busy_timeout = 0; PRAGMA cache_size = -64");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)");
db.prepare("SELECT 1 FROM sqlite_schema LIMIT 1").get(); // opens the WAL and its -shm file
let shm;
try {
  shm = openSync(path + "-shm", "r");
} catch {
  shm = undefined; // no readable wal-index: checkpoint after each gathering
}
const header = Buffer.alloc(100);
/** Frames in the WAL not yet copied into the database file; undefined when the header is not one we know. */
function uncopied() {
  if (shm === undefined) return undefined;
  try {
    if (readSync(shm, header, 0, 100, 0) < 100) return undefined;
  } catch {
    return undefined;
  }
  // version 3007000, initialized; the header is in the machine's byte order (little-endian here)
  if (header.readUInt32LE(0) !== 3007000 || header[12] !== 1) return undefined;
  return Math.max(0, header.readUInt32LE(16) - header.readUInt32LE(96));
}
function run() {
  Atomics.exchange(sh, PENDING, 0);
  try {
    let r = checkpoint.get();
    // The writer starts the WAL again from its beginning only if, when it opens a transaction,
    // every frame is copied: under a steady burst a commit nearly always lands during the copy,
    // and the WAL grows. Past restartFrames, a RESTART: it holds the writer's lock while it copies
    // what the PASSIVE left (a few commits' frames) and fsyncs, then the next writer restarts the
    // WAL. The writer's BEGIN waits meanwhile (its busy handler): a short stall, once per
    // restartFrames instead of once per 1,000 pages. A reader holding an older snapshot (a CLI
    // query, a backup, a sqlite3 shell) makes the RESTART wait for it while holding the writer's
    // lock, freezing the writer on the main thread: so it waits 50 ms at most (it was 2 s: review
    // R10, 2 s stalls every ~3 s while such a reader lasted), and counts only when it restarted.
    if (r.log >= restartFrames) {
      db.exec("PRAGMA busy_timeout = 50");
      try {
        const rr = restart.get();
        if (rr.busy === 0) Atomics.add(sh, RESTARTS, 1);
        r = rr;
      } finally {
        db.exec("PRAGMA busy_timeout = 0");
      }
    }
    Atomics.add(sh, CHECKPOINTS, 1);
    Atomics.store(sh, LOG, r.log);
    Atomics.store(sh, BACKFILLED, r.checkpointed);
    // not all copied (a reader still reads an older snapshot): once more after the next gathering
    if (r.log > 0 && r.checkpointed < r.log) Atomics.add(sh, PENDING, 1);
  } catch {
    // SQLITE_BUSY or an I/O error: the frames stay in the WAL (readable, durable); retried
    Atomics.add(sh, ERRORS, 1);
    Atomics.add(sh, PENDING, 1);
  }
}
for (;;) {
  if (Atomics.load(sh, STOP) !== 0) break;
  if (Atomics.load(sh, PENDING) === 0) {
    const woke = Atomics.wait(sh, PENDING, 0, idleMs);
    if (woke === "timed-out" && Atomics.load(sh, PENDING) === 0) break;
    continue; // PENDING or STOP changed
  }
  Atomics.wait(sh, STOP, 0, gatherMs); // the close interrupts the gathering
  if (Atomics.load(sh, STOP) !== 0) break;
  const frames = uncopied();
  if (frames === undefined || frames >= checkpointFrames) run();
  else Atomics.exchange(sh, PENDING, 0); // not enough yet: the next commit wakes the thread again
}
run();
db.close();
`;
