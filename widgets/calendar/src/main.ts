// Entry point: connect to the client with the calendar's capabilities, find the agent's zone,
// read the calendar, then show it and follow live events.
import { startWidget } from "../../kit/src/start-widget.ts";
import { agentZone } from "./agent-zone.ts";
import { CalendarApp } from "./calendar-app.ts";
import { CALENDAR_CAPABILITIES, CalendarSource, canWrite } from "./calendar-source.ts";
import { calendarMessages } from "./messages.ts";

async function main(): Promise<void> {
  const mount = document.getElementById("app");
  if (mount === null) return;
  const session = await startWidget({ capabilities: CALENDAR_CAPABILITIES, mount });
  if (session === undefined) return;
  const { params } = session;
  document.title = calendarMessages(params.language).title;
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.textContent = calendarMessages(params.language).loading;
  mount.replaceChildren(status);
  const source = new CalendarSource(session);
  const [tz] = await Promise.all([
    agentZone({ param: params.raw.get("tz"), baseUrl: params.raw.get("baseUrl") ?? params.raw.get("org.matrix.msc4039.matrix_base_url"), userId: params.userId }),
    source.load(),
  ]);
  const app = new CalendarApp();
  app.source = source;
  app.tz = tz;
  app.language = params.language;
  app.userId = params.userId ?? "";
  app.roomId = params.roomId ?? "";
  app.writable = canWrite(session) && params.userId !== undefined;
  mount.replaceChildren(app);
}

void main();
