// What the writer (sqlite-checkpointer.ts) and the checkpointer's thread
// (sqlite-checkpoint-worker.ts) share: the slots of one Int32Array over a SharedArrayBuffer.
export const CKPT = {
  /** commits since the thread last took the count (the writer adds, the thread takes) */
  PENDING: 0,
  /** 1: the database is closing, a last checkpoint and the thread ends */
  STOP: 1,
  /** checkpoints run */
  CHECKPOINTS: 2,
  /** the WAL's frames at the last checkpoint, and how many of them are in the database file */
  LOG: 3,
  BACKFILLED: 4,
  /** checkpoints that failed (retried) */
  ERRORS: 5,
  /** RESTART checkpoints run (the WAL had grown past restartFrames) */
  RESTARTS: 6,
} as const;
export const CKPT_SLOTS = 7;

export type CheckpointWorkerData = { path: string; shared: SharedArrayBuffer; gatherMs: number; idleMs: number; restartFrames: number; checkpointFrames: number };
