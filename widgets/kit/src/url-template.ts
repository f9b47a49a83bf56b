// Widget URL templates: `$name` is replaced by the widget's own `data` fields and by the values the
// client supplies, which win so that `data` cannot lie about who the user is.
// https://github.com/matrix-org/matrix-spec-proposals/blob/main/proposals/1236-widget-api.md (templating)
// One pass over the template, longest variable name first: a value that itself contains `$name`
// is never expanded again, and `$matrix_user_id_x` is not read as `$matrix_user_id` + `_x`
// unless no longer name matches.
import type { WidgetData } from "./widget-state.ts";

export interface TemplateContext {
  userId: string;
  roomId: string | undefined;
  displayName: string | undefined;
  /** An http(s) URL (the client resolves mxc:// first), or undefined. */
  avatarHttpUrl: string | undefined;
  widgetId: string;
  clientId: string;
  theme: string;
  language: string;
  deviceId: string | undefined;
  baseUrl: string | undefined;
}

export function templateVariables(data: WidgetData, ctx: TemplateContext): Map<string, string> {
  const vars = new Map<string, string>();
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") vars.set(key, String(value));
  }
  const supplied: Record<string, string> = {
    matrix_user_id: ctx.userId,
    matrix_room_id: ctx.roomId ?? "",
    matrix_display_name: ctx.displayName ?? ctx.userId,
    matrix_avatar_url: ctx.avatarHttpUrl ?? "",
    matrix_widget_id: ctx.widgetId,
    "org.matrix.msc2873.client_id": ctx.clientId,
    "org.matrix.msc2873.client_theme": ctx.theme,
    "org.matrix.msc2873.client_language": ctx.language,
    "org.matrix.msc3819.matrix_device_id": ctx.deviceId ?? "",
    "org.matrix.msc4039.matrix_base_url": ctx.baseUrl ?? "",
  };
  for (const [key, value] of Object.entries(supplied)) vars.set(key, value);
  return vars;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Expands `$variables` (values URI-encoded, as matrix-widget-api and Element do). Unknown ones stay. */
export function expandUrlTemplate(template: string, vars: ReadonlyMap<string, string>): string {
  const names = [...vars.keys()].filter((k) => /^[\w.-]+$/.test(k)).sort((a, b) => b.length - a.length);
  if (names.length === 0) return template;
  const pattern = new RegExp(`\\$(${names.map(escapeRegExp).join("|")})`, "g");
  return template.replace(pattern, (_m, name: string) => encodeURIComponent(vars.get(name) ?? ""));
}
