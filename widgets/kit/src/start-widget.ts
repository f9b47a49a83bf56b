// The one call a widget's main.ts makes: read the URL, theme the page, connect, and either hand
// back a session or show the French fallback in `mount`.
import type { Capability } from "matrix-widget-api";
import { applyTheme } from "./theme.ts";
import { connectWidget, type WidgetSession } from "./widget-session.ts";
import { readWidgetParams } from "./widget-params.ts";
import { kitMessages } from "./messages.ts";
import "./widget-fallback.ts";

export interface StartOptions {
  capabilities: readonly Capability[];
  mount: HTMLElement;
  timeoutMs?: number;
}

export async function startWidget(opts: StartOptions): Promise<WidgetSession | undefined> {
  const params = readWidgetParams(window.location.href);
  applyTheme(document, params);
  const status = document.createElement("p");
  status.textContent = kitMessages(params.language).loading;
  opts.mount.replaceChildren(status);
  const conn = await connectWidget({
    params,
    inFrame: window.parent !== window,
    capabilities: opts.capabilities,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  if (conn.kind === "connected") {
    opts.mount.replaceChildren();
    return conn.session;
  }
  const fallback = document.createElement("entente-widget-fallback");
  fallback.setAttribute("language", params.language);
  if (conn.kind === "failed") fallback.setAttribute("reason", conn.reason);
  opts.mount.replaceChildren(fallback);
  return undefined;
}
