// `entente demo`: the working group the tasks bot seeds gets the task board and the calendar as
// room widgets, pointing at the widgets `entente start` serves. Without them the demo's agents
// (power level 0) could not add them: "Widgets (0)" and no board. Written as the tasks bot (the
// room's creator) with its appservice token; written again when the widgets' address changed
// (8081 taken: an ephemeral port), left alone when it is the same.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildCalendarWidgetContent, CALENDAR_WIDGET_ID } from "../../widgets/calendar/src/calendar-widget.ts";
import { DEMO_ALIAS_LOCALPART } from "../../appservices/tasks/src/demo-seed.ts";

export const TASKS_WIDGET_ID = "entente-tasks";
const WIDGETS = "im.vector.modular.widgets";

/** The templates docs/widgets.md gives for the task board (userId: the board judges rights by it). */
const TASKS_QUERY = "userId=$matrix_user_id&roomId=$matrix_room_id&theme=$org.matrix.msc2873.client_theme&language=$org.matrix.msc2873.client_language";

export interface WidgetState { stateKey: string; content: { type: string; url: string; name: string; data: Record<string, never> } }

/** The two widgets for `baseUrl`, the widgets server's root (ends with "/"). */
export function demoWidgetStates(baseUrl: string): WidgetState[] {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return [
    { stateKey: TASKS_WIDGET_ID, content: { type: "m.custom", url: `${base}tasks/index.html?${TASKS_QUERY}`, name: "Tâches", data: {} } },
    { stateKey: CALENDAR_WIDGET_ID, content: buildCalendarWidgetContent(`${base}calendar/`) },
  ];
}

export interface DemoWidgetsTarget {
  /** The council whose tasks bot seeded the working group (the first one). */
  clientUrl: string;
  serverName: string;
  /** Its tasks bot's registration (appservices/tasks.yaml): the as_token is read from it. */
  registrationFile: string;
  widgetsBaseUrl: string;
}

/** Adds (or points again) the widgets; resolves to how many state events were written. */
export async function addDemoWidgets(t: DemoWidgetsTarget): Promise<number> {
  const token = String((parse(readFileSync(t.registrationFile, "utf8")) as { as_token?: unknown }).as_token ?? "");
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${t.clientUrl}/_matrix/client/v3${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const enc = encodeURIComponent;
  const alias = await call("GET", `/directory/room/${enc(`#${DEMO_ALIAS_LOCALPART}:${t.serverName}`)}`);
  const roomId = alias.json["room_id"];
  if (typeof roomId !== "string") throw new Error(`the working group ${DEMO_ALIAS_LOCALPART} is not found on ${t.serverName} (${String(alias.json["errcode"] ?? alias.status)})`);
  let written = 0;
  for (const w of demoWidgetStates(t.widgetsBaseUrl)) {
    const path = `/rooms/${enc(roomId)}/state/${WIDGETS}/${enc(w.stateKey)}`;
    const now = await call("GET", path);
    if (now.status === 200 && now.json["url"] === w.content.url) continue;
    const put = await call("PUT", path, w.content);
    if (put.status !== 200) throw new Error(`widget ${w.stateKey}: ${String(put.json["errcode"] ?? put.status)} ${String(put.json["error"] ?? "")}`.trim());
    written++;
  }
  return written;
}
