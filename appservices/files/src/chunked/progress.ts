// Progress figures for a transfer (pure apart from the clock): bytes, speed over the last few
// seconds (not since the start, so a resumed upload shows its current speed), time remaining.

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  partsDone: number;
  partsTotal: number;
  /** Over the last WINDOW_MS; 0 until two samples exist. */
  bytesPerSecond: number;
  /** undefined while the speed is unknown. */
  remainingSeconds: number | undefined;
}

const WINDOW_MS = 5000;

export class ProgressMeter {
  private sent = 0;
  private done = 0;
  private samples: { t: number; bytes: number }[] = [];

  private readonly total: number;
  private readonly parts: number;
  private readonly now: () => number;

  constructor(total: number, parts: number, now: () => number = () => performance.now()) {
    this.total = total;
    this.parts = parts;
    this.now = now;
  }

  add(bytes: number): void {
    this.sent += bytes;
    const t = this.now();
    this.samples.push({ t, bytes: this.sent });
    while (this.samples.length > 2 && this.samples[0]!.t < t - WINDOW_MS) this.samples.shift();
  }

  /** Counted as sent, but not part of the speed (acknowledged in an earlier run). */
  skip(bytes: number): void {
    this.sent += bytes;
    this.done++;
    for (const s of this.samples) s.bytes += bytes;
  }

  partDone(): void {
    this.done++;
  }

  snapshot(): UploadProgress {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const dt = first && last ? (last.t - first.t) / 1000 : 0;
    const bytesPerSecond = first && last && dt > 0 ? (last.bytes - first.bytes) / dt : 0;
    return {
      sentBytes: this.sent, totalBytes: this.total, partsDone: this.done, partsTotal: this.parts, bytesPerSecond,
      remainingSeconds: bytesPerSecond > 0 ? (this.total - this.sent) / bytesPerSecond : undefined,
    };
  }
}
