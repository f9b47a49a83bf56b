// Makes what SQLite's COMMITs wrote durable without blocking the event loop: an fdatasync of the
// WAL file in libuv's thread pool. With `synchronous = NORMAL` a WAL-mode COMMIT writes its frames
// (into the page cache: a process crash cannot lose them) and returns without a sync; syncing the
// WAL before acknowledging gives what `synchronous = FULL` gives (FULL = "the WAL file is synced
// after each transaction commit"), while the event loop keeps serving. Checkpoints stay safe on
// their own: under NORMAL SQLite syncs the WAL before each checkpoint, the database file after it,
// and the WAL header when the file is reused. The argument in full: docs/perf/sendpath.md.
import { closeSync, fdatasync, fstatSync, openSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";

/** fs.fdatasync runs in libuv's thread pool: the event loop is free meanwhile. */
const fdatasyncFd = promisify(fdatasync);

export class WalSync {
  private readonly walPath: string;
  private fd: number | undefined;
  private ino: number | undefined;
  /** Completed syncs (tests, figures). */
  syncs = 0;

  constructor(dbPath: string) {
    this.walPath = dbPath + "-wal";
  }

  /** Resolves once every WAL frame written so far is on disk. */
  async sync(): Promise<void> {
    // The WAL is re-created if another connection closed last (SQLite then deletes it): an fd on
    // the old file would sync nothing we care about. A stat is a few µs.
    const ino = statSync(this.walPath).ino;
    if (this.fd === undefined || ino !== this.ino) await this.reopen();
    await fdatasyncFd(this.fd as number);
    this.syncs++;
  }

  private async reopen(): Promise<void> {
    this.close();
    const fd = openSync(this.walPath, "r");
    this.fd = fd;
    this.ino = fstatSync(fd).ino;
    // A new file's directory entry must be durable too: SQLite syncs the directory with a newly
    // created WAL's first sync, which under NORMAL would only come at the first checkpoint.
    const dir = await open(dirname(this.walPath), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.ino = undefined;
  }
}
