// The widgets of a room (its im.vector.modular.widgets state) and of the account (m.widgets),
// parsed; invalid ones are kept with their reason so the panel can say why one does not open.
import { parseAccountWidgets, parseWidgetContent, type WidgetStateResult } from "../../../../widgets/kit/src/widget-state.ts";
import type { IRoomEvent } from "matrix-widget-api";

export type ListedWidget = Exclude<WidgetStateResult, { kind: "removed" }>;

export function roomWidgets(stateEvents: readonly IRoomEvent[]): ListedWidget[] {
  return stateEvents
    .map((e) => parseWidgetContent(e.state_key ?? "", e.content, e.sender))
    .filter((r): r is ListedWidget => r.kind !== "removed")
    .sort((a, b) => (a.kind === "widget" ? a.widget.id : a.id).localeCompare(b.kind === "widget" ? b.widget.id : b.id));
}

export function accountWidgets(accountData: unknown, userId: string): ListedWidget[] {
  return parseAccountWidgets(accountData, userId).filter((r): r is ListedWidget => r.kind !== "removed");
}

/**
 * Room versions 12+ (MSC4289) give the room's creators unlimited power and leave them out of
 * power_levels.users: the sender of m.room.create and its `additional_creators`.
 */
export function privilegedCreators(createContent: unknown, createSender: string | undefined): string[] {
  const c = typeof createContent === "object" && createContent !== null ? (createContent as Record<string, unknown>) : {};
  const version = typeof c["room_version"] === "string" ? c["room_version"] : "1";
  const privileged = version === "org.matrix.hydra.11" || (/^\d+$/.test(version) && Number(version) >= 12);
  if (!privileged || createSender === undefined) return [];
  const extra = Array.isArray(c["additional_creators"]) ? c["additional_creators"].filter((u): u is string => typeof u === "string") : [];
  return [createSender, ...extra];
}

/** Adding or removing room widgets needs the power level for the widget state event. */
export function canManageWidgets(powerLevels: unknown, userId: string, creators: readonly string[] = []): boolean {
  if (creators.includes(userId)) return true;
  const pl = typeof powerLevels === "object" && powerLevels !== null ? (powerLevels as Record<string, unknown>) : {};
  const num = (v: unknown, d: number): number => (typeof v === "number" && Number.isInteger(v) ? v : d);
  const users = typeof pl["users"] === "object" && pl["users"] !== null ? (pl["users"] as Record<string, unknown>) : {};
  const events = typeof pl["events"] === "object" && pl["events"] !== null ? (pl["events"] as Record<string, unknown>) : {};
  const mine = num(users[userId], num(pl["users_default"], 0));
  const needed = num(events["im.vector.modular.widgets"], num(pl["state_default"], 50));
  return mine >= needed;
}
