// Shared state and helpers of one authorisation check (see check-auth.ts).
// Spec: https://spec.matrix.org/v1.16/server-server-api/#definitions (power level terms)

import { stateKeyOf } from "../pdu.ts";
import type { JsonObject, Pdu, RoomEvent, StateMap } from "../pdu.ts";
import type { RoomVersion } from "../room-versions.ts";
import type { AuthVerdict } from "./check-auth.ts";
import { MEMBER } from "./auth-event-types.ts";
import { userPowerLevel } from "./power-levels.ts";
import type { PowerLevels } from "./power-levels.ts";

export interface AuthOptions {
  /**
   * Rule "m.room.member invite, third_party_invite, 7": true when any signature in `signed`
   * verifies with one of `publicKeys` (unpadded base64 ed25519 keys from the
   * m.room.third_party_invite event). Without it every third-party invite is rejected.
   */
  verifyThirdPartyInvite?(signed: JsonObject, publicKeys: readonly string[]): boolean;
}

export interface AuthContext {
  readonly pdu: Pdu;
  readonly state: StateMap<RoomEvent>;
  readonly version: RoomVersion;
  readonly create: RoomEvent;
  readonly powerLevelsEvent: RoomEvent | undefined;
  readonly levels: PowerLevels;
  readonly opts: AuthOptions;
  /** Top-level rule number as numbered in the v6–v11 lists; v12 inserts rule 2, shifting the rest. */
  readonly top: (n: number) => string;
}

export const ALLOW: AuthVerdict = { allowed: true };

export function reject(step: string, reason: string): AuthVerdict {
  return { allowed: false, step, reason };
}

export function stateEvent(ctx: AuthContext, type: string, stateKey: string): RoomEvent | undefined {
  return ctx.state.get(stateKeyOf(type, stateKey));
}

/** The user's current membership, or undefined when they have no (valid) member event. */
export function membershipOf(ctx: AuthContext, userId: string): string | undefined {
  const membership = stateEvent(ctx, MEMBER, userId)?.pdu.content["membership"];
  return typeof membership === "string" ? membership : undefined;
}

export function powerOf(ctx: AuthContext, userId: string): number {
  return userPowerLevel(userId, ctx.powerLevelsEvent, ctx.create, ctx.version);
}
