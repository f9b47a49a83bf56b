// Entry point of the Jitsi wrapper page: connect to the client, read config.json (the council's
// allow-list, same origin as this page), read the meeting from the URL, refuse or offer to join.
import { ALWAYS_ON_SCREEN } from "../../kit/src/capabilities.ts";
import { startWidget } from "../../kit/src/start-widget.ts";
import { isDomainAllowed, parseJitsiConfig, type JitsiConfig } from "./jitsi-config.ts";
import { readMeetingParams } from "./meeting-params.ts";
import { JitsiApp } from "./jitsi-app.ts";
import { jitsiMessages } from "./messages.ts";

// Element's hang-up and join requests to its Jitsi widget (ElementWidgetActions).
const HANGUP = "im.vector.hangup";
const JOIN = "io.element.join";

async function loadConfig(): Promise<JitsiConfig | undefined> {
  try {
    const res = await fetch(new URL("config.json", window.location.href), { cache: "no-cache" });
    return res.ok ? parseJitsiConfig(await res.json()) : parseJitsiConfig({});
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const mount = document.getElementById("app");
  if (mount === null) return;
  const session = await startWidget({ capabilities: [ALWAYS_ON_SCREEN], mount });
  if (session === undefined) return;
  const app = new JitsiApp();
  app.session = session;
  const parsed = readMeetingParams(session.params);
  const config = await loadConfig();
  if (parsed.kind === "invalid") app.state = { kind: "invalid", reason: parsed.reason };
  else if (config === undefined) app.state = { kind: "invalid", reason: jitsiMessages(session.params.language).configError };
  else {
    app.meeting = parsed.meeting;
    app.config = config;
    // Refuse up front, before any button: nothing from a foreign domain is ever requested.
    if (!isDomainAllowed(parsed.meeting.domain, config)) app.state = { kind: "refused", domain: parsed.meeting.domain };
  }
  mount.replaceChildren(app);
  for (const [action, run] of [[HANGUP, () => app.hangUp()], [JOIN, () => void app.join()]] as const) {
    session.api.on(`action:${action}`, (ev: CustomEvent<unknown>) => {
      ev.preventDefault();
      session.api.transport.reply(ev.detail as never, {});
      run();
    });
  }
}

void main();
