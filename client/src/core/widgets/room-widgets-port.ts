// What the widget panels (room, "Mes widgets", calendar event cards) need from the session, beyond
// what a widget's driver needs: who the agent is (for URL templates), power levels, the room's live
// events (fed to the running widgets), the account widgets and the agent's time zone. Plain data: ui/ never sees matrix-js-sdk.
import type { IRoomEvent } from "matrix-widget-api";
import type { WidgetClientPort } from "./widget-client-port.ts";

export interface RoomWidgetsPort extends WidgetClientPort {
  deviceId: string | undefined;
  baseUrl: string;
  roomName(roomId: string): string;
  /** Display name and avatar (http URL) of the agent in that room (no room: the global profile). */
  me(roomId: string | undefined): { displayName: string | undefined; avatarHttpUrl: string | undefined };
  powerLevels(roomId: string): unknown;
  /** The room's privileged creators (room versions 12+), who are above any power level. */
  creators(roomId: string): string[];
  /** Each new event of the live timelines, once, decrypted when it was encrypted. */
  onLiveEvent(listener: (event: IRoomEvent) => void): () => void;
  /** The `m.widgets` account data content (account widgets), undefined when there is none. */
  accountWidgets(): unknown;
  setAccountWidgets(content: Record<string, unknown>): Promise<void>;
  /** The agent's `m.tz` profile field (an IANA zone), undefined when unset or unreadable. */
  myTimeZone(): Promise<string | undefined>;
}
