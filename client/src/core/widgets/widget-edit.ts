// Adding and removing room widgets from the panel. A custom widget is `{type: "m.custom", url,
// name, data: {}}` under a fresh 24-character id (Element's format); only URLs the client would
// load are accepted, so an agent cannot add a widget nobody can open. Reasons are message keys. Removing = empty content.
import type { MessageKey } from "../i18n/messages-fr.ts";
import { isLoadableUrl } from "./widget-frame-url.ts";

export type CustomWidget = { ok: true; content: { type: "m.custom"; url: string; name: string; data: Record<string, never> } } | { ok: false; reason: MessageKey };

export function customWidgetContent(name: string, url: string, trustedOrigins: readonly string[]): CustomWidget {
  const n = name.trim();
  if (n === "" || n.length > 255) return { ok: false, reason: "widgetsNameRequired" };
  if (url.length > 4096) return { ok: false, reason: "widgetsUrlTooLong" };
  let parsed: URL;
  try {
    // Templates such as $matrix_user_id stay as they are: only the origin is checked.
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, reason: "widgetsUrlUnreadable" };
  }
  if (!isLoadableUrl(parsed, { trustedOrigins, jitsiWrapperUrl: "", parentUrl: "" })) return { ok: false, reason: "widgetsUrlNotHttps" };
  return { ok: true, content: { type: "m.custom", url: url.trim(), name: n, data: {} } };
}

export const REMOVED_WIDGET_CONTENT: Record<string, never> = {};

/** matrix.to / matrix: links a widget may navigate to: the room id (aliases are not resolved here). */
export function permalinkRoomId(uri: string): string | undefined {
  const m = /^https:\/\/matrix\.to\/#\/(![^/?]+)/.exec(uri) ?? /^matrix:roomid\/([^/?]+)/.exec(uri);
  if (m?.[1] === undefined) return undefined;
  try {
    const id = decodeURIComponent(m[1]);
    return id.startsWith("!") ? id : `!${id}`;
  } catch {
    return undefined;
  }
}
