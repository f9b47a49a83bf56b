// Account widgets: the `m.widgets` account data, one entry per widget, in Element's shape
// (WidgetUtils.setUserWidget): `{[id]: {content: {id, type, url, name, data, creatorUserId},
// sender, state_key: id, type: "m.widget", id}}`. Adding and removing rewrite the whole object
// (account data has no per-key update); entries we cannot read are kept as they are, so a widget
// another client wrote in a newer shape is never lost by our edit.
import { parseAccountWidgets } from "../../../../widgets/kit/src/widget-state.ts";
import type { ListedWidget } from "./room-widgets.ts";

export type AccountWidgetsContent = Record<string, unknown>;

const asObject = (v: unknown): AccountWidgetsContent => (typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(v as AccountWidgetsContent) } : {});

/** Listed like room widgets (invalid ones with their reason), sorted by name. */
export function listAccountWidgets(content: unknown, userId: string): ListedWidget[] {
  const name = (w: ListedWidget): string => (w.kind === "widget" ? w.widget.name : w.id);
  return parseAccountWidgets(content, userId).filter((r): r is ListedWidget => r.kind !== "removed").sort((a, b) => name(a).localeCompare(name(b)));
}

export function withAccountWidget(current: unknown, id: string, widget: { type: string; url: string; name: string; data: Record<string, unknown> }, userId: string): AccountWidgetsContent {
  const next = asObject(current);
  next[id] = {
    content: { id, type: widget.type, url: widget.url, name: widget.name, data: widget.data, creatorUserId: userId },
    sender: userId,
    state_key: id,
    type: "m.widget",
    id,
  };
  return next;
}

export function withoutAccountWidget(current: unknown, id: string): AccountWidgetsContent {
  const next = asObject(current);
  delete next[id];
  return next;
}
