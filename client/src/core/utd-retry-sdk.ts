// The retry plan of utd-retry.ts over matrix-js-sdk: follows the messages that failed to decrypt
// for a missing Megolm key (the backup could bring it), looks at GET /room_keys/version on the
// plan's back-off, and when the backup changed retries one message per session. The retry goes
// through the Rust crypto as any failure does: it asks the backup for that session again, imports
// the key, and the SDK then decrypts the session's waiting messages (MatrixEventEvent.Decrypted,
// which redraws the timeline). Each round of retries is made again a few seconds later (the SDK
// ignores a session it was told "not found" for in the last 5 s). No crypto here, only when to ask.
import { Method, MatrixEventEvent, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import type { CryptoBackend } from "matrix-js-sdk/lib/common-crypto/CryptoBackend.js";
import { DecryptionFailureCode } from "matrix-js-sdk/lib/crypto-api/index.js";
import { UtdRetryPlan, type BackupMark, type UtdRetryLimits } from "./utd-retry.ts";

/** Failures a key from the backup can cure (not "withheld", not "sent before you joined"). */
const FIXABLE = new Set<DecryptionFailureCode | null>([
  DecryptionFailureCode.MEGOLM_UNKNOWN_INBOUND_SESSION_ID,
  DecryptionFailureCode.OLM_UNKNOWN_MESSAGE_INDEX,
  DecryptionFailureCode.HISTORICAL_MESSAGE_WORKING_BACKUP,
  DecryptionFailureCode.HISTORICAL_MESSAGE_BACKUP_UNCONFIGURED,
]);

async function backupMark(client: MatrixClient): Promise<BackupMark | null | undefined> {
  try {
    const info = await client.http.authedRequest<Partial<BackupMark>>(Method.Get, "/room_keys/version");
    return { version: String(info.version), etag: String(info.etag), count: Number(info.count) };
  } catch (e) {
    return (e as { errcode?: unknown }).errcode === "M_NOT_FOUND" ? null : undefined;
  }
}

export class SdkUtdRetry {
  private readonly client: MatrixClient;
  private readonly plan: UtdRetryPlan<MatrixEvent>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private againTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(client: MatrixClient, limits?: UtdRetryLimits) {
    this.client = client;
    this.plan = new UtdRetryPlan<MatrixEvent>(limits);
    client.on(MatrixEventEvent.Decrypted, this.onDecrypted);
  }

  stop(): void {
    this.stopped = true;
    this.client.off(MatrixEventEvent.Decrypted, this.onDecrypted);
    clearTimeout(this.timer);
    clearTimeout(this.againTimer);
  }

  private readonly onDecrypted = (event: MatrixEvent): void => {
    const eventId = event.getId();
    const roomId = event.getRoomId();
    if (eventId === undefined || roomId === undefined || this.stopped) return;
    const sessionId = event.getWireContent()["session_id"];
    if (!event.isDecryptionFailure() || !FIXABLE.has(event.decryptionFailureReason) || typeof sessionId !== "string") {
      this.plan.drop(eventId);
      if (this.plan.size === 0) {
        clearTimeout(this.timer);
        clearTimeout(this.againTimer);
      }
      return;
    }
    if (this.plan.add({ eventId, roomId, sessionId, event })) this.arm();
  };

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), this.plan.nextDelay());
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    const mark = await backupMark(this.client);
    if (this.stopped || this.plan.size === 0) return;
    const retries = this.plan.checked(mark).map((u) => u.event);
    if (retries.length > 0) {
      this.retry(retries);
      clearTimeout(this.againTimer);
      this.againTimer = setTimeout(() => this.retry(retries), this.plan.againDelay());
    }
    if (this.timer === undefined && this.plan.size > 0) this.arm();
  }

  private retry(events: MatrixEvent[]): void {
    const crypto = this.client.getCrypto() as unknown as CryptoBackend | undefined;
    if (this.stopped || crypto === undefined) return;
    for (const event of events) {
      // A retry that fails again is one more Decrypted failure: it stays followed.
      if (event.isDecryptionFailure()) void event.attemptDecryption(crypto, { isRetry: true }).catch(() => undefined);
    }
  }
}
