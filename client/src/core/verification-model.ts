// Emoji (SAS) verification as the UI sees it: one request at a time, in stages an agent
// understands (a request to accept, waiting for the other side, 7 emoji to compare, done or
// cancelled). Pure: verification-sdk.ts turns matrix-js-sdk's VerificationRequest into this.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#short-authentication-string-sas-verification
import { SAS_EMOJI_FR } from "./sas-emoji.ts";

export type VerificationStage =
  /** Someone (my other device, or another person) asks: accept or decline. */
  | "incoming"
  /** Sent or accepted; waiting for the other side to answer or to start the emoji comparison. */
  | "waiting"
  /** The 7 emoji are shown: the agent compares them with the other screen. */
  | "compare"
  /** "They match" clicked here; waiting for the other side's confirmation. */
  | "confirmed"
  | "done"
  | "cancelled";

export interface SasEmoji { emoji: string; fr: string; en: string }

export interface VerificationView {
  /** Verification of one of my own devices (a new sign-in) rather than of another person. */
  self: boolean;
  otherUserId: string;
  otherDeviceId: string | undefined;
  initiatedByMe: boolean;
  stage: VerificationStage;
  /** Shown in stages "compare" and "confirmed". */
  emoji: readonly SasEmoji[] | undefined;
  /** Why it was cancelled (stage "cancelled"). */
  cancelReason: CancelReason | undefined;
}

/** What the UI can ask of the session's verification (optional in ChatSession). */
export interface VerificationPort {
  current(): VerificationView | undefined;
  /** From a new device: ask my other, already verified, devices. */
  verifyOwnDevice(): Promise<void>;
  /** Verify another person, with an in-room request in a room we share (a DM or any room). */
  verifyUser(userId: string, roomId: string): Promise<void>;
  accept(): Promise<void>;
  /** "They match". */
  match(): Promise<void>;
  /** "They don't match": cancels with m.mismatched_sas. */
  mismatch(): void;
  cancel(): Promise<void>;
  /** Forget a finished (done or cancelled) verification. */
  dismiss(): void;
}

const bare = (emoji: string): string => emoji.replace(/\uFE0F/g, "");

/** The SDK's [emoji, English name] pairs with the spec's French names; unknown emoji keep the English one. */
export function sasEmoji(pairs: readonly (readonly [string, string])[]): SasEmoji[] {
  return pairs.map(([emoji, en]) => ({ emoji, en, fr: SAS_EMOJI_FR.get(bare(emoji)) ?? en }));
}

/** The SDK's phase numbers (VerificationPhase), kept here so the model does not import the SDK. */
export const Phase = { Unsent: 1, Requested: 2, Ready: 3, Started: 4, Cancelled: 5, Done: 6 } as const;

export interface RequestFacts {
  phase: number;
  initiatedByMe: boolean;
  /** Our "ready" is on its way (accept clicked). */
  accepting: boolean;
  hasSas: boolean;
  confirmed: boolean;
}

export function stageOf(f: RequestFacts): VerificationStage {
  if (f.phase === Phase.Done) return "done";
  if (f.phase === Phase.Cancelled) return "cancelled";
  if (f.hasSas) return f.confirmed ? "confirmed" : "compare";
  if (f.phase === Phase.Requested && !f.initiatedByMe && !f.accepting) return "incoming";
  return "waiting";
}

export type CancelReason = "mismatch" | "timeout" | "cancelled";

/** Cancellation codes in the agent's terms (spec: m.key.verification.cancel codes). */
export function cancelReason(code: string | null): CancelReason {
  if (code === "m.mismatched_sas" || code === "m.key_mismatch" || code === "m.mismatched_commitment") return "mismatch";
  if (code === "m.timeout") return "timeout";
  return "cancelled";
}
