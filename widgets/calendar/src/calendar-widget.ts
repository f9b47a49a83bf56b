// The room widget that opens this calendar, as `im.vector.modular.widgets` content (Element's
// legacy type, what every client reads; state_key = widget id). The URL template asks the host
// for the agent, room, language, theme and homeserver (for the `m.tz` profile field).
// https://github.com/matrix-org/matrix-spec-proposals/blob/main/proposals/1236-widget-api.md
export const CALENDAR_WIDGET_ID = "entente-calendar";

export const CALENDAR_URL_FRAGMENT = [
  "userId=$matrix_user_id",
  "roomId=$matrix_room_id",
  "displayName=$matrix_display_name",
  "language=$org.matrix.msc2873.client_language",
  "theme=$org.matrix.msc2873.client_theme",
  "baseUrl=$org.matrix.msc4039.matrix_base_url",
].join("&");

/** `pageUrl`: where widgets/calendar is served, e.g. https://widgets.ville-a.fr/calendar/ */
export function buildCalendarWidgetContent(pageUrl: string, name = "Agenda"): { type: string; url: string; name: string; data: Record<string, never> } {
  const url = new URL(pageUrl);
  url.hash = "";
  return { type: "m.custom", url: `${url.href}#${CALENDAR_URL_FRAGMENT}`, name, data: {} };
}
