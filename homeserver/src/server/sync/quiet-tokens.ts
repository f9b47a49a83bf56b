// "Nothing moved for you since this token" (issue 16): a client's next long-poll repeats the
// next_batch of the answer it just got, and before any wake-up for the user computing /sync from it
// would read every stream's position to find nothing. Per device, the last token handed out is kept
// with the user's notifier version read BEFORE that answer was computed; a long-poll from that same
// token while the version has not moved parks on the notifier at once, computing nothing.
//
// Why that is exact: every write a /sync can show wakes its users AFTER it is visible to reads
// (notifier.ts callers: events after their COMMIT — and on SQLite after the group's token is cleared,
// so settledPosition no longer hides them —, account data, receipts, typing, presence, to-device,
// device lists, local and over federation; client readers replay main's wake-ups after main's
// COMMIT, and wake everyone when they may have missed some). So a change the answer did not hold,
// having become visible after its positions were read, moved the version after it was read; one
// visible before them is in the answer. The long-poll's own wait relies on the same rule. Only an
// answer that left nothing behind up to its positions is kept (to-device messages past the per-sync
// limit stay queued with no wake-up to come: such an answer is not kept; nor one that moved the
// to-device position, whose acknowledgement — a DELETE — the next /sync makes: that stays at the
// long-poll's start, not in its woken /sync on the latency path). Per process: the versions
// are this process's notifier's (a client reader has its own; a token from another process simply
// is not known here).

export class QuietTokens {
  private readonly byDevice = new Map<string, { token: string; version: number }>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  /** `device` was answered `token`, computed after the user's version was `version`. */
  answered(device: string, token: string, version: number): void {
    if (this.byDevice.size >= this.max && !this.byDevice.has(device)) this.byDevice.clear();
    this.byDevice.set(device, { token, version });
  }

  /** True when `token` is the last one handed to `device` and the user's version is still the one read before it was computed. */
  quiet(device: string, token: string, version: number): boolean {
    const kept = this.byDevice.get(device);
    return kept !== undefined && kept.token === token && kept.version === version;
  }
}
