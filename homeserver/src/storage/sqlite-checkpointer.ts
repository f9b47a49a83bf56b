// WAL checkpoints off the event loop while the writer is busy. By default SQLite checkpoints in
// the COMMIT that takes the WAL past 1,000 pages, on the committing thread: the copy of the
// pages into the database file and its fsync, a stall of several ms for every request during a
// burst (docs/perf/speed-5.md, "## sqlitewal"). When commits come quickly (`startCommits` in one
// second), the writer stops checkpointing (wal_autocheckpoint = 0) and a thread with its own
// connection runs PASSIVE checkpoints (sqlite-checkpoint-worker.ts). After `idleMs` without a
// commit the thread ends and the writer checkpoints by itself again: a thread costs ~14 MB of
// RSS (a V8 isolate), not returned to the system by malloc when it ends, so an idle council that
// never had a burst does not pay it. Durability is unchanged: COMMIT still fsyncs the WAL
// (synchronous = FULL); a checkpoint only moves durable frames into the database file.
import { Worker } from "node:worker_threads";
import { CKPT, CKPT_SLOTS, type CheckpointWorkerData } from "./sqlite-checkpoint-shared.ts";
import { CHECKPOINT_WORKER_SOURCE } from "./sqlite-checkpoint-worker.ts";

export type CheckpointerOptions = {
  /** commits within one second that start the thread (default 50); 0: never start it */
  startCommits?: number;
  /** ms the thread waits after a commit woke it before it looks at the WAL again (default 100) */
  gatherMs?: number;
  /**
   * WAL frames not yet in the database file from which the thread checkpoints (default 1,000, the
   * writer's own period; a checkpoint every 250 ms or 1 s whatever the WAL held cost ~50 µs more
   * CPU per transaction, and its database fsyncs delayed the lone messages' WAL fsyncs)
   */
  checkpointFrames?: number;
  /** ms without a commit after which the thread ends (default 30,000) */
  idleMs?: number;
  /** WAL frames past which the thread runs a RESTART checkpoint (default 8,000: 32 MiB) */
  restartFrames?: number;
};

export type CheckpointerStats = {
  running: boolean;
  starts: number;
  checkpoints: number;
  restarts: number;
  errors: number;
  /** the WAL's frames at the last checkpoint, and how many of them were in the database file after it */
  walFrames: number;
  backfilled: number;
};

/** SQLite's default wal_autocheckpoint, the writer's own while no thread runs. */
const WRITER_AUTOCHECKPOINT = 1000;

export class Checkpointer {
  private readonly shared = new SharedArrayBuffer(CKPT_SLOTS * 4);
  private readonly sh = new Int32Array(this.shared);
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private second = -1;
  private commitsThisSecond = 0;
  private starts = 0;
  private closed = false;
  /** the thread failed (it could not open the database, ran out of its heap…): not started again */
  private failed = false;
  private readonly startCommits: number;
  private readonly gatherMs: number;
  private readonly idleMs: number;
  private readonly restartFrames: number;
  private readonly checkpointFrames: number;
  private readonly path: string;
  private readonly autocheckpoint: (pages: number) => void;

  /** `autocheckpoint(pages)` sets the writer connection's wal_autocheckpoint. */
  constructor(path: string, autocheckpoint: (pages: number) => void, opts: CheckpointerOptions = {}) {
    this.path = path;
    this.autocheckpoint = autocheckpoint;
    this.startCommits = opts.startCommits ?? 50;
    this.gatherMs = opts.gatherMs ?? 100;
    this.checkpointFrames = opts.checkpointFrames ?? 1000;
    this.idleMs = opts.idleMs ?? 30_000;
    this.restartFrames = opts.restartFrames ?? 8000;
  }

  /** After each COMMIT of the writer (main thread): a few ns; one futex wake per gathering. */
  committed(): void {
    if (this.worker) {
      if (Atomics.add(this.sh, CKPT.PENDING, 1) === 0) Atomics.notify(this.sh, CKPT.PENDING);
      return;
    }
    if (this.startCommits <= 0 || this.closed || this.failed) return;
    const second = Math.floor(performance.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.commitsThisSecond = 0;
    }
    if (++this.commitsThisSecond >= this.startCommits) this.start();
  }

  private start(): void {
    this.commitsThisSecond = 0;
    this.autocheckpoint(0);
    Atomics.store(this.sh, CKPT.PENDING, 1);
    Atomics.store(this.sh, CKPT.STOP, 0);
    const data: CheckpointWorkerData = { path: this.path, shared: this.shared, gatherMs: this.gatherMs, idleMs: this.idleMs, restartFrames: this.restartFrames, checkpointFrames: this.checkpointFrames };
    const worker = new Worker(CHECKPOINT_WORKER_SOURCE, {
      eval: true,
      workerData: data,
      // a small heap: the thread holds one connection and a loop (6 MiB was too little to start)
      resourceLimits: { maxOldGenerationSizeMb: 10, maxYoungGenerationSizeMb: 1, stackSizeMb: 1 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.worker = worker;
    this.starts++;
    this.exited = new Promise((resolve) => {
      const done = (): void => {
        if (this.worker === worker) {
          this.worker = undefined;
          // the writer checkpoints by itself again (it is open unless we are closing)
          if (!this.closed) this.autocheckpoint(WRITER_AUTOCHECKPOINT);
        }
        resolve();
      };
      // an error in the thread (it could not open the file…): back to the writer's checkpoints
      worker.once("error", () => {
        this.failed = true;
      });
      worker.once("exit", done);
    });
  }

  stats(): CheckpointerStats {
    const sh = this.sh;
    return {
      running: this.worker !== undefined,
      starts: this.starts,
      checkpoints: Atomics.load(sh, CKPT.CHECKPOINTS),
      restarts: Atomics.load(sh, CKPT.RESTARTS),
      errors: Atomics.load(sh, CKPT.ERRORS),
      walFrames: Atomics.load(sh, CKPT.LOG),
      backfilled: Atomics.load(sh, CKPT.BACKFILLED),
    };
  }

  /** Before the writer closes: the thread's last checkpoint, its connection closed, the thread gone. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.worker) {
      this.worker.ref(); // the process waits for the thread's last checkpoint
      Atomics.store(this.sh, CKPT.STOP, 1);
      Atomics.notify(this.sh, CKPT.STOP);
      Atomics.notify(this.sh, CKPT.PENDING);
    }
    await this.exited;
  }
}
