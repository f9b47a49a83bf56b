// What the room's widget panel needs from the session, beyond what a widget's driver needs: who
// the agent is in the room (for URL templates), power levels, and the room's live events (fed to
// the running widgets). Plain data: ui/ never sees matrix-js-sdk.
import type { IRoomEvent } from "matrix-widget-api";
import type { WidgetClientPort } from "./widget-client-port.ts";

export interface RoomWidgetsPort extends WidgetClientPort {
  deviceId: string | undefined;
  baseUrl: string;
  roomName(roomId: string): string;
  /** Display name and avatar (http URL) of the agent in that room. */
  me(roomId: string): { displayName: string | undefined; avatarHttpUrl: string | undefined };
  powerLevels(roomId: string): unknown;
  /** The room's privileged creators (room versions 12+), who are above any power level. */
  creators(roomId: string): string[];
  /** Each new event of the live timelines, once, decrypted when it was encrypted. */
  onLiveEvent(listener: (event: IRoomEvent) => void): () => void;
}
