// Emoji (SAS) verification over matrix-js-sdk's Rust crypto: one request at a time, incoming
// (CryptoEvent.VerificationRequestReceived: my new sign-in elsewhere, or another person in a room)
// or outgoing (from a new device to my other devices; to another person in a room we share).
// The side that sent the request starts SAS once the other accepted; the other side answers the
// start. When my own new device is verified, the Rust stack cross-signs it on the verified side and
// the verified device sends it the secrets (cross-signing keys, backup key: m.secret.send), which
// is how the new device reads its history. Spec: Key verification framework, SAS, Secret sharing.
import type { MatrixClient } from "matrix-js-sdk";
import {
  CryptoEvent, VerificationPhase, VerificationRequestEvent, VerifierEvent,
  type ShowSasCallbacks, type VerificationRequest, type Verifier,
} from "matrix-js-sdk/lib/crypto-api/index.js";
import { cancelReason, sasEmoji, stageOf, type VerificationPort, type VerificationView } from "./verification-model.ts";

export interface VerificationDeps {
  /** Something shown changed (the session's coalesced signal). */
  changed(): void;
  /** A verification of one of my own devices finished (this device may now get the backup key). */
  selfVerified(): void;
}

export class SdkVerification implements VerificationPort {
  private request: VerificationRequest | undefined;
  private sas: ShowSasCallbacks | undefined;
  private confirmed = false;
  private verifying = false;
  private reportedDone = false;
  private readonly client: MatrixClient;
  private readonly deps: VerificationDeps;

  constructor(client: MatrixClient, deps: VerificationDeps) {
    this.client = client;
    this.deps = deps;
    client.on(CryptoEvent.VerificationRequestReceived, (r: VerificationRequest) => {
      // One at a time: a second request while one is under way waits for the agent to finish.
      if (this.request !== undefined && this.request.pending && this.request !== r) return;
      this.adopt(r);
    });
    // A verification's signature reaches the trust shown in the room settings through these.
    client.on(CryptoEvent.UserTrustStatusChanged, () => deps.changed());
    client.on(CryptoEvent.DevicesUpdated, () => deps.changed());
  }

  private crypto(): NonNullable<ReturnType<MatrixClient["getCrypto"]>> {
    const c = this.client.getCrypto();
    if (c === undefined) throw new Error("crypto not initialised");
    return c;
  }

  private adopt(r: VerificationRequest): void {
    this.request = r;
    this.sas = undefined;
    this.confirmed = false;
    this.verifying = false;
    this.reportedDone = false;
    r.on(VerificationRequestEvent.Change, () => this.onChange(r));
    this.onChange(r);
  }

  private onChange(r: VerificationRequest): void {
    if (r !== this.request) return;
    if (r.phase === VerificationPhase.Ready && r.initiatedByMe && !this.verifying) {
      this.verifying = true;
      r.startVerification("m.sas.v1").then((v) => this.run(v), () => undefined);
    } else if (r.phase === VerificationPhase.Started && r.verifier !== undefined && !this.verifying) {
      this.verifying = true;
      this.run(r.verifier);
    }
    if (r.phase === VerificationPhase.Done && r.isSelfVerification && !this.reportedDone) {
      this.reportedDone = true;
      this.deps.selfVerified();
    }
    this.deps.changed();
  }

  private run(v: Verifier): void {
    v.on(VerifierEvent.ShowSas, (sas: ShowSasCallbacks) => {
      this.sas = sas;
      this.deps.changed();
    });
    const shown = v.getShowSasCallbacks();
    if (shown !== null) this.sas = shown;
    // Resolves when done, rejects when cancelled: either way the request's phase tells the UI.
    v.verify().then(() => this.deps.changed(), () => this.deps.changed());
  }

  current(): VerificationView | undefined {
    const r = this.request;
    if (r === undefined) return undefined;
    const emoji = this.sas?.sas.emoji;
    return {
      self: r.isSelfVerification,
      otherUserId: r.otherUserId,
      otherDeviceId: r.otherDeviceId,
      initiatedByMe: r.initiatedByMe,
      stage: stageOf({ phase: r.phase, initiatedByMe: r.initiatedByMe, accepting: r.accepting, hasSas: this.sas !== undefined, confirmed: this.confirmed }),
      emoji: emoji !== undefined ? sasEmoji(emoji) : undefined,
      cancelReason: r.phase === VerificationPhase.Cancelled ? cancelReason(r.cancellationCode) : undefined,
    };
  }

  async verifyOwnDevice(): Promise<void> {
    this.adopt(await this.crypto().requestOwnUserVerification());
  }

  async verifyUser(userId: string, roomId: string): Promise<void> {
    this.adopt(await this.crypto().requestVerificationDM(userId, roomId));
  }

  async accept(): Promise<void> {
    await this.request?.accept();
  }

  async match(): Promise<void> {
    if (this.sas === undefined) return;
    this.confirmed = true;
    this.deps.changed();
    await this.sas.confirm();
  }

  mismatch(): void {
    this.sas?.mismatch();
  }

  async cancel(): Promise<void> {
    const r = this.request;
    if (r !== undefined && r.pending) await r.cancel();
    else this.dismiss();
  }

  dismiss(): void {
    this.request = undefined;
    this.sas = undefined;
    this.deps.changed();
  }
}
